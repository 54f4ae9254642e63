// The HTTP side of the error contract: every contract code has a status of its own kind, and the
// body has exactly the three fields.
#include "adapters/http/http_errors.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/grpc/status_mapping.hpp"

using namespace tt::adapters::http;
using common::v1::ErrorCode;

TEST_CASE("every contract error code maps to a 4xx or 5xx, only server faults to 5xx") {
  const auto* codes = common::v1::ErrorCode_descriptor();
  for (int i = 0; i < codes->value_count(); ++i) {
    auto code = static_cast<ErrorCode>(codes->value(i)->number());
    auto status = http_status_of(code);
    CAPTURE(codes->value(i)->name());
    CHECK(status >= 400);
    CHECK(status < 600);
    bool server_fault =
        code == ErrorCode::ERROR_CODE_UNSPECIFIED || code == ErrorCode::ERROR_CODE_INTERNAL ||
        code == ErrorCode::ERROR_CODE_DATA_CORRUPTION ||
        code == ErrorCode::ERROR_CODE_UNAVAILABLE || code == ErrorCode::ERROR_CODE_TIMEOUT ||
        code == ErrorCode::ERROR_CODE_UPSTREAM_TIMEOUT ||
        code == ErrorCode::ERROR_CODE_UPSTREAM_ERROR;
    CHECK((status >= 500) == server_fault);
  }
  CHECK(http_status_of(ErrorCode::ERROR_CODE_UNAUTHENTICATED) == 401);
  CHECK(http_status_of(ErrorCode::ERROR_CODE_NOT_FOUND) == 404);
  CHECK(http_status_of(ErrorCode::ERROR_CODE_IDEMPOTENCY_CONFLICT) == 409);
  CHECK(http_status_of(ErrorCode::ERROR_CODE_RATE_LIMITED) == 429);
}

TEST_CASE("a contract error in a gRPC status comes back whole, with its name") {
  auto status = tt::adapters::rpc::to_grpc_status(
      tt::fail(tt::errc::idempotency_conflict, "key reused with another request"), "trace-1");
  auto e = error_of(status);
  CHECK(e.code == ErrorCode::ERROR_CODE_IDEMPOTENCY_CONFLICT);
  CHECK(e.message == "key reused with another request");
  auto body = nlohmann::json::parse(error_body(e, "trace-1"));
  CHECK(body == nlohmann::json{{"error",
                                {{"code", "IDEMPOTENCY_CONFLICT"},
                                 {"message", "key reused with another request"},
                                 {"trace_id", "trace-1"}}}});
}

TEST_CASE("a status without a contract error is mapped from its gRPC code") {
  CHECK(error_of(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")).code ==
        ErrorCode::ERROR_CODE_UNAVAILABLE);
  CHECK(error_of(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late")).code ==
        ErrorCode::ERROR_CODE_TIMEOUT);
}

TEST_CASE("a route's own name replaces the contract's in the body") {
  auto body = nlohmann::json::parse(
      error_body({ErrorCode::ERROR_CODE_ALREADY_EXISTS, "taken", "USERNAME_EXISTS"}, "t"));
  CHECK(body["error"]["code"] == "USERNAME_EXISTS");
}
