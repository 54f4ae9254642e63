// rpc_service::local: a unary method's handler called in process, as the HTTP gateway calls it,
// completes through the callback with the handler's response or its mapped error.
#include "adapters/grpc/rpc_service.hpp"

#include <doctest/doctest.h>

#include "adapters/grpc/status_mapping.hpp"
#include "proto/common/v1/errors.pb.h"
#include "proto/gateway/v1/queue.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace {

using namespace tt::adapters::rpc;
namespace v1 = gateway::v1;
using status_call = unary_call<v1::GetQueueStatusRequest, v1::GetQueueStatusResponse>;

constexpr const char* status_path = "/gateway.v1.QueueService/GetQueueStatus";

/// A QueueService whose GetQueueStatus answers the token's length as the position, or refuses
/// an empty token as the adapters do.
std::unique_ptr<rpc_service> queue_service() {
  const auto* descriptor =
      v1::GetQueueStatusRequest::descriptor()->file()->FindServiceByName("QueueService");
  auto service = std::make_unique<rpc_service>(*descriptor, call_limits{});
  service->bind_unary<v1::GetQueueStatusRequest, v1::GetQueueStatusResponse>(
      "GetQueueStatus", [](std::shared_ptr<status_call> call) {
        const auto& token = call->request().waiting_token();
        if (token.empty()) {
          call->fail(tt::fail(tt::errc::invalid_argument, "waiting_token is required"));
          return;
        }
        call->response().set_position(static_cast<int32_t>(token.size()));
        call->response().set_eta_seconds(7);
        call->reply();
      });
  return service;
}

struct answer {
  grpc::Status status;
  v1::GetQueueStatusResponse response;
};

answer call_local(const rpc_service::local_unary& entry, const std::string& token) {
  v1::GetQueueStatusRequest req;
  req.set_waiting_token(token);
  answer out;
  entry(req, "trace-local-1", [&out](const grpc::Status& s, google::protobuf::Message& r) {
    out.status = s;
    out.response.CopyFrom(r);
  });
  return out;
}

} // namespace

TEST_CASE("rpc_service.a bound unary method is called in process and answers its response") {
  auto service = queue_service();
  const auto* entry = service->local(status_path);
  REQUIRE(entry != nullptr);
  auto a = call_local(*entry, "abcd");
  CHECK(a.status.ok());
  CHECK(a.response.position() == 4);
  CHECK(a.response.eta_seconds() == 7);
}

TEST_CASE("rpc_service.a refusal made in process carries the contract error") {
  auto service = queue_service();
  auto a = call_local(*service->local(status_path), "");
  CHECK(a.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rich;
  common::v1::Error contract;
  REQUIRE(rich.ParseFromString(a.status.error_details()));
  REQUIRE(rich.details_size() == 1);
  REQUIRE(rich.details(0).UnpackTo(&contract));
  CHECK(contract.code() == common::v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(contract.trace_id() == "trace-local-1");
}

TEST_CASE("rpc_service.unbound methods and other paths have no in-process entry") {
  auto service = queue_service();
  CHECK(service->local("/gateway.v1.QueueService/JoinQueue") == nullptr);
  CHECK(service->local("/gateway.v1.QueueService/NoSuchMethod") == nullptr);
  CHECK(service->local("GetQueueStatus") == nullptr);
}
