#include "adapters/http/http_errors.hpp"

#include <nlohmann/json.hpp>

#include "adapters/grpc/status_mapping.hpp"
#include "proto/google/rpc/status.pb.h"

namespace tt::adapters::http {

using common::v1::ErrorCode;

unsigned http_status_of(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ERROR_CODE_INVALID_ARGUMENT:
    case ErrorCode::ERROR_CODE_IDEMPOTENCY_REQUIRED:
      return 400;
    case ErrorCode::ERROR_CODE_UNAUTHENTICATED:
      return 401;
    case ErrorCode::ERROR_CODE_PAYMENT_NOT_APPROVED:
      return 402;
    case ErrorCode::ERROR_CODE_FORBIDDEN:
    case ErrorCode::ERROR_CODE_UNAUTHORIZED:
      return 403;
    case ErrorCode::ERROR_CODE_NOT_FOUND:
      return 404;
    // Each of these says the request clashes with the current state: 409 Conflict.
    case ErrorCode::ERROR_CODE_ALREADY_EXISTS:
    case ErrorCode::ERROR_CODE_FAILED_PRECONDITION:
    case ErrorCode::ERROR_CODE_IDEMPOTENCY_CONFLICT:
    case ErrorCode::ERROR_CODE_INVENTORY_CONFLICT:
    case ErrorCode::ERROR_CODE_INSUFFICIENT_INVENTORY:
    case ErrorCode::ERROR_CODE_CONCURRENT_MODIFICATION:
      return 409;
    // The hold is over for good: 410 Gone.
    case ErrorCode::ERROR_CODE_RESERVATION_EXPIRED:
      return 410;
    case ErrorCode::ERROR_CODE_RATE_LIMITED:
    case ErrorCode::ERROR_CODE_QUOTA_EXCEEDED:
      return 429;
    case ErrorCode::ERROR_CODE_UNSPECIFIED:
    case ErrorCode::ERROR_CODE_INTERNAL:
    case ErrorCode::ERROR_CODE_DATA_CORRUPTION:
      return 500;
    case ErrorCode::ERROR_CODE_UPSTREAM_ERROR:
      return 502;
    case ErrorCode::ERROR_CODE_UNAVAILABLE:
      return 503;
    case ErrorCode::ERROR_CODE_TIMEOUT:
    case ErrorCode::ERROR_CODE_UPSTREAM_TIMEOUT:
      return 504;
    // protoc's guards against values outside int32: never a real code.
    case ErrorCode::ErrorCode_INT_MIN_SENTINEL_DO_NOT_USE_:
    case ErrorCode::ErrorCode_INT_MAX_SENTINEL_DO_NOT_USE_:
      return 500;
  }
  return 500;
}

std::string code_name(ErrorCode code) {
  constexpr std::string_view prefix = "ERROR_CODE_";
  const auto& full = common::v1::ErrorCode_Name(code);
  if (full.rfind(prefix, 0) == 0)
    return full.substr(prefix.size());
  return "INTERNAL";
}

namespace {

ErrorCode from_grpc_code(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return ErrorCode::ERROR_CODE_INVALID_ARGUMENT;
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::UNIMPLEMENTED:
      return ErrorCode::ERROR_CODE_NOT_FOUND;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return ErrorCode::ERROR_CODE_TIMEOUT;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return ErrorCode::ERROR_CODE_QUOTA_EXCEEDED;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
      return ErrorCode::ERROR_CODE_UNAVAILABLE;
    default:
      return ErrorCode::ERROR_CODE_INTERNAL;
  }
}

} // namespace

api_error error_of(const grpc::Status& status) {
  google::rpc::Status rich;
  common::v1::Error contract;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details()) &&
      rich.details_size() > 0 && rich.details(0).UnpackTo(&contract))
    return {contract.code(), contract.message(), {}};
  return {from_grpc_code(status.error_code()), status.error_message(), {}};
}

api_error error_of(const failure& f) {
  auto contract = rpc::to_contract_error(f, {});
  return {contract.code(), contract.message(), {}};
}

std::string error_body(const api_error& e, std::string_view trace_id) {
  nlohmann::json body = {{"error",
                          {{"code", e.name.empty() ? code_name(e.code) : e.name},
                           {"message", e.message},
                           {"trace_id", std::string{trace_id}}}}};
  // Replace, never throw, on invalid UTF-8 in a message that echoes client input.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace tt::adapters::http
