#pragma once
/// The one domain error enum. Every rejection anywhere in the system is one of these; the adapters
/// map each to the contract's common.v1.ErrorCode plus a gRPC status in exactly one place
/// (adapters/grpc/status_mapping.cpp, an exhaustive switch). Starts at 1, as CAF's error codes
/// must.

#include <cstdint>
#include <string_view>

namespace tt {

enum class errc : uint8_t {
  invalid_argument = 1,
  not_found,
  already_exists,
  failed_precondition,
  forbidden,
  unauthenticated,
  rate_limited,
  quota_exceeded,
  idempotency_required,
  idempotency_conflict,
  concurrent_modification,
  reservation_expired,
  payment_not_approved,
  inventory_conflict,
  insufficient_inventory,
  unavailable,
  timeout,
  data_corruption,
  /// The node does not serve this RPC (unknown method, or one this build does not provide).
  unimplemented,
  internal,
};

/// Stable lower-case name, used in logs and in caf::error's to_string.
std::string_view to_string(errc code) noexcept;

} // namespace tt
