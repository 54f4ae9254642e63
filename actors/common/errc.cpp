#include "actors/common/errc.hpp"

namespace tt {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::already_exists:
      return "already_exists";
    case errc::failed_precondition:
      return "failed_precondition";
    case errc::forbidden:
      return "forbidden";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::rate_limited:
      return "rate_limited";
    case errc::quota_exceeded:
      return "quota_exceeded";
    case errc::idempotency_required:
      return "idempotency_required";
    case errc::idempotency_conflict:
      return "idempotency_conflict";
    case errc::concurrent_modification:
      return "concurrent_modification";
    case errc::reservation_expired:
      return "reservation_expired";
    case errc::payment_not_approved:
      return "payment_not_approved";
    case errc::inventory_conflict:
      return "inventory_conflict";
    case errc::insufficient_inventory:
      return "insufficient_inventory";
    case errc::unavailable:
      return "unavailable";
    case errc::timeout:
      return "timeout";
    case errc::data_corruption:
      return "data_corruption";
    case errc::unimplemented:
      return "unimplemented";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

} // namespace tt
