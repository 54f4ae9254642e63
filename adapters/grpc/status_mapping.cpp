#include "adapters/grpc/status_mapping.hpp"

#include <string>
#include <vector>

#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "actors/runtime/errors.hpp"
#include "proto/google/rpc/status.pb.h"

namespace tt::adapters::rpc {

using common::v1::ErrorCode;
using grpc::StatusCode;

mapped_code map_code(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
      return {StatusCode::INVALID_ARGUMENT, ErrorCode::ERROR_CODE_INVALID_ARGUMENT};
    case errc::not_found:
      return {StatusCode::NOT_FOUND, ErrorCode::ERROR_CODE_NOT_FOUND};
    case errc::already_exists:
      return {StatusCode::ALREADY_EXISTS, ErrorCode::ERROR_CODE_ALREADY_EXISTS};
    case errc::failed_precondition:
      return {StatusCode::FAILED_PRECONDITION, ErrorCode::ERROR_CODE_FAILED_PRECONDITION};
    case errc::forbidden:
      return {StatusCode::PERMISSION_DENIED, ErrorCode::ERROR_CODE_FORBIDDEN};
    case errc::unauthenticated:
      return {StatusCode::UNAUTHENTICATED, ErrorCode::ERROR_CODE_UNAUTHENTICATED};
    case errc::rate_limited:
      return {StatusCode::RESOURCE_EXHAUSTED, ErrorCode::ERROR_CODE_RATE_LIMITED};
    case errc::quota_exceeded:
      return {StatusCode::RESOURCE_EXHAUSTED, ErrorCode::ERROR_CODE_QUOTA_EXCEEDED};
    case errc::idempotency_required:
      return {StatusCode::INVALID_ARGUMENT, ErrorCode::ERROR_CODE_IDEMPOTENCY_REQUIRED};
    // The key exists already, bound to a different request.
    case errc::idempotency_conflict:
      return {StatusCode::ALREADY_EXISTS, ErrorCode::ERROR_CODE_IDEMPOTENCY_CONFLICT};
    // ABORTED is gRPC's code for "retry the whole read-modify-write".
    case errc::concurrent_modification:
      return {StatusCode::ABORTED, ErrorCode::ERROR_CODE_CONCURRENT_MODIFICATION};
    case errc::reservation_expired:
      return {StatusCode::FAILED_PRECONDITION, ErrorCode::ERROR_CODE_RESERVATION_EXPIRED};
    case errc::payment_not_approved:
      return {StatusCode::FAILED_PRECONDITION, ErrorCode::ERROR_CODE_PAYMENT_NOT_APPROVED};
    case errc::inventory_conflict:
      return {StatusCode::ABORTED, ErrorCode::ERROR_CODE_INVENTORY_CONFLICT};
    case errc::insufficient_inventory:
      return {StatusCode::RESOURCE_EXHAUSTED, ErrorCode::ERROR_CODE_INSUFFICIENT_INVENTORY};
    case errc::unavailable:
      return {StatusCode::UNAVAILABLE, ErrorCode::ERROR_CODE_UNAVAILABLE};
    case errc::timeout:
      return {StatusCode::DEADLINE_EXCEEDED, ErrorCode::ERROR_CODE_TIMEOUT};
    case errc::data_corruption:
      return {StatusCode::DATA_LOSS, ErrorCode::ERROR_CODE_DATA_CORRUPTION};
    // The contract has no "unimplemented" code; from the client's side the method is not found.
    case errc::unimplemented:
      return {StatusCode::UNIMPLEMENTED, ErrorCode::ERROR_CODE_NOT_FOUND};
    case errc::internal:
      return {StatusCode::INTERNAL, ErrorCode::ERROR_CODE_INTERNAL};
  }
  return {StatusCode::INTERNAL, ErrorCode::ERROR_CODE_INTERNAL};
}

common::v1::Error to_contract_error(const failure& f, std::string_view trace_id) {
  common::v1::Error e;
  e.set_code(map_code(f.code).code);
  e.set_message(f.message);
  e.set_trace_id(std::string(trace_id));
  for (const auto& d : f.details) {
    auto* out = e.add_details();
    out->set_field(d.field);
    out->set_reason(d.reason);
    out->set_value(d.value);
  }
  return e;
}

grpc::Status to_grpc_status(const failure& f, std::string_view trace_id) {
  auto status_code = map_code(f.code).status;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status_code));
  rich.set_message(f.message);
  rich.add_details()->PackFrom(to_contract_error(f, trace_id));
  return grpc::Status(status_code, f.message, rich.SerializeAsString());
}

failure from_caf_error(const caf::error& err) {
  if (auto rejection = actors::to_failure(err))
    return *rejection;
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
      case caf::sec::request_timeout:
        return fail(errc::timeout, "the request did not complete before its deadline");
      case caf::sec::request_receiver_down:
      case caf::sec::no_context:
      case caf::sec::remote_linking_failed:
      case caf::sec::cannot_connect_to_node:
      case caf::sec::no_route_to_receiving_node:
        return fail(errc::unavailable, "the component serving this request is unavailable");
      default:
        break;
    }
  }
  return fail(errc::internal, "internal error: " + caf::to_string(err));
}

} // namespace tt::adapters::rpc
