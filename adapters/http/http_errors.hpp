#pragma once
/// Errors on the HTTP side: every one is {"error":{"code","message","trace_id"}} with the HTTP
/// status that matches its common.v1.ErrorCode (one exhaustive switch, as status_mapping is for
/// gRPC). `code` is the contract's name without its ERROR_CODE_ prefix ("IDEMPOTENCY_CONFLICT"),
/// or, on the routes the original gateway gave its own names (USERNAME_EXISTS, NOT_READY, ...),
/// that name.

#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "actors/common/failure.hpp"
#include "proto/common/v1/errors.pb.h"

namespace tt::adapters::http {

struct api_error {
  common::v1::ErrorCode code = common::v1::ERROR_CODE_INTERNAL;
  std::string message;
  /// Empty: the contract's name of `code`.
  std::string name;
};

/// The HTTP status of a contract error code.
unsigned http_status_of(common::v1::ErrorCode code) noexcept;

/// "INVALID_ARGUMENT" for ERROR_CODE_INVALID_ARGUMENT.
std::string code_name(common::v1::ErrorCode code);

/// The contract error a failed call carries (grpc-status-details-bin); a status without one (the
/// channel's own failures) is mapped from its gRPC code.
api_error error_of(const grpc::Status& status);

/// The contract error of a rejection made in this process (status_mapping's map).
api_error error_of(const failure& f);

/// The JSON body of `e` stamped with `trace_id`.
std::string error_body(const api_error& e, std::string_view trace_id);

} // namespace tt::adapters::http
