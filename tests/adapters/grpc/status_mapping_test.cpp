#include <doctest/doctest.h>

#include "actors/runtime/errors.hpp"
#include "adapters/grpc/status_mapping.hpp"
#include "proto/google/rpc/status.pb.h"

using namespace tt;
using namespace tt::adapters::rpc;

namespace {

constexpr auto first_code = static_cast<uint8_t>(errc::invalid_argument);
constexpr auto last_code = static_cast<uint8_t>(errc::internal);

} // namespace

TEST_CASE("every domain error code maps to a specific contract code and gRPC status") {
  for (auto raw = first_code; raw <= last_code; ++raw) {
    auto code = static_cast<errc>(raw);
    auto mapped = map_code(code);
    INFO(to_string(code));
    CHECK(mapped.status != grpc::StatusCode::OK);
    CHECK(mapped.status != grpc::StatusCode::UNKNOWN);
    CHECK(mapped.code != common::v1::ERROR_CODE_UNSPECIFIED);
    CHECK(to_string(code) != "unknown");
  }
}

TEST_CASE("domain codes keep their meaning on the wire") {
  CHECK(map_code(errc::forbidden).status == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(map_code(errc::forbidden).code == common::v1::ERROR_CODE_FORBIDDEN);
  CHECK(map_code(errc::idempotency_required).code == common::v1::ERROR_CODE_IDEMPOTENCY_REQUIRED);
  CHECK(map_code(errc::timeout).status == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(map_code(errc::data_corruption).status == grpc::StatusCode::DATA_LOSS);
}

TEST_CASE("a grpc status carries the contract error, with trace id and details") {
  auto f = fail(errc::inventory_conflict, "seat A-1-2 is taken", {{"seat_ids", "held", "A-1-2"}});
  auto status = to_grpc_status(f, "trace-1");
  CHECK(status.error_code() == grpc::StatusCode::ABORTED);
  CHECK(status.error_message() == "seat A-1-2 is taken");
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(status.error_details()));
  CHECK(rich.code() == static_cast<int>(grpc::StatusCode::ABORTED));
  common::v1::Error err;
  REQUIRE(rich.details(0).UnpackTo(&err));
  CHECK(err.code() == common::v1::ERROR_CODE_INVENTORY_CONFLICT);
  CHECK(err.trace_id() == "trace-1");
  REQUIRE(err.details_size() == 1);
  CHECK(err.details(0).field() == "seat_ids");
  CHECK(err.details(0).value() == "A-1-2");
}

TEST_CASE("a domain rejection survives the trip through caf::error") {
  auto f = fail(errc::forbidden, "not yours", {{"user_id", "not the owner", "u-2"}});
  auto back = from_caf_error(actors::to_caf_error(f));
  CHECK(back.code == errc::forbidden);
  CHECK(back.message == "not yours");
  REQUIRE(back.details.size() == 1);
  CHECK(back.details[0].field == "user_id");
  CHECK(back.details[0].reason == "not the owner");
}

TEST_CASE("CAF's own errors become timeout, unavailable or internal") {
  CHECK(from_caf_error(caf::make_error(caf::sec::request_timeout)).code == errc::timeout);
  CHECK(from_caf_error(caf::make_error(caf::sec::request_receiver_down)).code == errc::unavailable);
  CHECK(from_caf_error(caf::make_error(caf::sec::unexpected_message)).code == errc::internal);
}
