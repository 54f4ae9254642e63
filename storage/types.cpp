#include "storage/types.hpp"

namespace tt::storage {

std::string_view to_string(entity_kind kind) noexcept {
  switch (kind) {
    case entity_kind::seat:
      return "seat";
    case entity_kind::reservation:
      return "reservation";
    case entity_kind::event_counters:
      return "event_counters";
    case entity_kind::queue_entry:
      return "queue_entry";
    case entity_kind::payment:
      return "payment";
    case entity_kind::idempotency:
      return "idempotency";
    case entity_kind::outbox:
      return "outbox";
    case entity_kind::meta:
      return "meta";
  }
  return "invalid";
}

bool has_ttl(entity_kind kind) noexcept {
  return kind == entity_kind::idempotency;
}

// is_valid relies on the kinds being numbered 0..N-1 in all_entity_kinds' order.
static_assert(static_cast<std::size_t>(entity_kind::meta) + 1 == all_entity_kinds.size());

bool is_valid(entity_kind kind) noexcept {
  return static_cast<std::size_t>(kind) < all_entity_kinds.size();
}

std::string_view to_string(sync_policy policy) noexcept {
  switch (policy) {
    case sync_policy::always:
      return "always";
    case sync_policy::batch:
      return "batch";
    case sync_policy::none:
      return "none";
  }
  return "invalid";
}

} // namespace tt::storage
