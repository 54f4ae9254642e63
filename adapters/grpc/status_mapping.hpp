#pragma once
/// The one mapping from domain and actor errors to what a gRPC client sees: a grpc::Status whose
/// code matches the contract's common.v1.ErrorCode, and whose binary details
/// (grpc-status-details-bin) hold a google.rpc.Status carrying the common.v1.Error
/// {code, message, trace_id, details}, the standard "richer error model" every gRPC library reads.

#include <string_view>

#include <caf/error.hpp>
#include <grpcpp/support/status.h>

#include "actors/common/failure.hpp"
#include "proto/common/v1/errors.pb.h"

namespace tt::adapters::rpc {

struct mapped_code {
  grpc::StatusCode status;
  common::v1::ErrorCode code;
};

/// Exhaustive over tt::errc: a new code that is not mapped here fails to compile (-Wswitch).
mapped_code map_code(errc code) noexcept;

/// The contract error for a rejection, stamped with the call's trace id.
common::v1::Error to_contract_error(const failure& f, std::string_view trace_id);

/// A non-OK status carrying `to_contract_error(f, trace_id)` in its details.
grpc::Status to_grpc_status(const failure& f, std::string_view trace_id);

/// Reads an actor's error reply: tt errors keep their code, message and details; CAF's own
/// errors (request timeout, dead or unreachable actor) become timeout / unavailable.
failure from_caf_error(const caf::error& err);

} // namespace tt::adapters::rpc
