#pragma once
/// The messages of the reservation path: what the adapters ask the shard region (which routes to
/// the event's actor, which routes reservation commands to the reservation's actor), and what they
/// get back. Plain structs of domain types; local to a node (cross-node routing forwards the RPC
/// at the gRPC layer), hence CAF_ALLOW_UNSAFE_MESSAGE_TYPE in message_types.hpp.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/common/ids.hpp"
#include "actors/domain/catalog.hpp"
#include "actors/domain/event_inventory.hpp"
#include "actors/domain/reservation.hpp"
#include "actors/domain/waiting_room.hpp"

namespace tt::actors {

/// CheckAvailability / GetEventAvailability: explicit seats, or how many of `quantity` (in
/// `section`, if set) could be held now.
struct availability_query {
  event_id event;
  std::vector<seat_id> seats;
  int32_t quantity = 0;
  std::string section;
};
struct availability_answer {
  bool available = false;
  std::vector<domain::seat_view> seats; // the available ones (best picks for a quantity)
  std::vector<seat_id> unavailable;
  /// Available seats in the section asked about (the whole event when none was named).
  int32_t remaining = 0;
};

/// GetInventoryStatus: per-section counts and totals (optionally one section).
struct status_query {
  event_id event;
  std::string section;
};
struct status_answer {
  std::string name;
  std::string venue;
  timestamp sale_starts_at;
  timestamp sale_ends_at;
  std::vector<domain::section_summary> sections;
  domain::inventory_counts totals;
  timestamp as_of;
};

/// Who asks for a write, and the key that makes it idempotent. `canonical` is the request's
/// deterministic serialisation without the key: equal requests, equal bytes.
struct write_scope {
  user_id user;
  idempotency_key key;
  std::string canonical;
  /// The call's trace id, carried into the events the write publishes (never part of what
  /// makes a retry identical: a retry has a trace id of its own).
  std::string trace_id{}; // defaulted: most writes are built without one (tests, timers)
};

/// CreateReservation / ReserveSeat. `reservation_token` is RequestAdmission's proof of
/// admission, required when the event has a waiting room (checked by its admission actor).
struct create_request {
  event_id event;
  write_scope scope;
  std::vector<seat_id> seats;
  int32_t quantity = 0;
  std::string section;
  std::string reservation_token;
};

/// The commands on an existing reservation, one message per verb. A client's verbs carry its
/// write_scope (ReleaseHold's names the inventory operator: the contract gives it no user); the
/// payment path's and the worker's carry only the trace id of the call that caused them.

/// GetReservation: answered from the reservation's last concluded state, only to its owner.
struct reservation_get {
  reservation_id id;
  user_id requester;
};
/// ConfirmReservation / CommitReservation. InventoryService names the event (`stated_event`); a
/// reservation of another event is answered as unknown.
struct reservation_confirm {
  reservation_id id;
  write_scope scope;
  payment_intent_id intent;
  event_id stated_event{};
};
/// CancelReservation, by the owner.
struct reservation_cancel {
  reservation_id id;
  write_scope scope;
  std::string reason;
};
/// ExtendHold, by the owner.
struct reservation_extend {
  reservation_id id;
  write_scope scope;
  std::chrono::milliseconds extension{0};
};
/// ReleaseHold, or an operator's compensation from the worker: ends the hold for its owner.
struct reservation_release {
  reservation_id id;
  write_scope scope;
  std::string reason;
  event_id stated_event{};
};

/// From the event actor to the reservation's actor: a confirm, with the intent's outcome as the
/// event's payments know it (never a client's word).
struct reservation_confirm_paid {
  reservation_confirm request;
  domain::payment_outcome payment;
};
/// From the event's payments: an approved payment confirms the hold, a declined one fails it.
struct reservation_settle {
  reservation_id id;
  domain::payment_outcome payment;
  std::string reason; // why the payment was declined
  std::string trace_id;
};
/// From the event's payments: a refunded payment refunds its confirmed reservation.
struct reservation_refund {
  reservation_id id;
  payment_intent_id intent;
  std::string trace_id;
};
/// From the worker: end the hold if its deadline has passed (else answered unchanged).
struct reservation_expire {
  reservation_id id;
  std::string trace_id;
};

/// A system command's scope: no user and no idempotency key, only the trace id it carries on.
inline write_scope system_scope(std::string trace_id) {
  write_scope out;
  out.trace_id = std::move(trace_id);
  return out;
}

/// The write scope of a client's verb, for its idempotency record; null for a read.
inline const write_scope* write_scope_of(const reservation_get&) {
  return nullptr;
}
template <class Verb>
const write_scope* write_scope_of(const Verb& v) {
  return &v.scope;
}

/// The event a client's verb says its reservation belongs to; empty when it says none.
template <class Verb>
event_id stated_event_of(const Verb&) {
  return {};
}
inline event_id stated_event_of(const reservation_confirm& c) {
  return c.stated_event;
}
inline event_id stated_event_of(const reservation_release& c) {
  return c.stated_event;
}

/// Every change the event actor asks of a reservation's actor (its writes, run one at a time).
using reservation_write =
    std::variant<reservation_confirm_paid, reservation_cancel, reservation_extend,
                 reservation_release, reservation_settle, reservation_refund, reservation_expire>;
/// Every command the event actor passes to a reservation's actor: a read or a write.
using reservation_command =
    std::variant<reservation_get, reservation_confirm_paid, reservation_cancel, reservation_extend,
                 reservation_release, reservation_settle, reservation_refund, reservation_expire>;

struct extension_outcome {
  bool allowed = false;
  std::chrono::milliseconds granted{0};
  std::string note;
};

/// The reservation after the command, with its seats as they are now.
struct reservation_reply {
  domain::reservation_state reservation;
  std::vector<domain::seat_view> seats;
  std::optional<extension_outcome> extension;
};

/// ListReservations: one user's reservations, newest first, optionally filtered.
struct list_query {
  user_id user;
  domain::reservation_status status = domain::reservation_status::unspecified; // any
  event_id event;                                                              // any if empty
  /// Resume after this position (from the previous page's cursor); empty for the first page.
  std::string after;
  int32_t page_size = 20;
};
struct list_answer {
  std::vector<domain::reservation_state> items;
  int32_t total = 0;
  std::string next; // cursor of the next page; empty on the last page
};

struct recovered_event;
struct recovered_room;

/// Adds an event, or replaces one that has no holds or sales (AdminService UpdateConfig). At
/// start-up, `recovered` carries what the snapshot store held for the event and `room` what it
/// held for the event's waiting room (kept even when the catalog replaces the definition).
struct define_event {
  domain::event_definition definition;
  std::shared_ptr<const recovered_event> recovered;
  std::shared_ptr<const recovered_room> room;

  /// A definition with nothing stored for it: a new event, or a replacement.
  static define_event fresh(domain::event_definition definition) {
    return {std::move(definition), nullptr, nullptr};
  }
  /// A definition as the node found it at start-up, with the event's and its room's stored state
  /// (either may be null: nothing stored).
  static define_event restored(domain::event_definition definition,
                               std::shared_ptr<const recovered_event> event,
                               std::shared_ptr<const recovered_room> room) {
    return {std::move(definition), std::move(event), std::move(room)};
  }
};
/// Whether a definition added a new event or replaced the one of its id.
enum class definition_change : uint8_t { added, replaced };
struct event_defined {
  event_id event;
  definition_change change = definition_change::added;
  int32_t capacity = 0;
};

/// Defines every event of a catalog (TriggerOperation REFRESH_CONFIG). Events that have
/// reservations keep their current definition and are reported, the rest are added or replaced.
struct define_catalog {
  std::vector<define_event> events;
};
inline define_catalog catalog_of(std::vector<domain::event_definition> definitions) {
  define_catalog out;
  for (auto& d : definitions)
    out.events.push_back(define_event::fresh(std::move(d)));
  return out;
}
struct catalog_defined {
  std::vector<event_defined> defined;
  std::vector<failure> kept;
};

/// In a cluster: the group took these shards from this node. Their events (and waiting rooms)
/// stop here; their state is in the changelog, and the shard's next owner restores it.
struct release_shards {
  std::vector<uint32_t> shards;
};
struct shards_released {
  std::vector<event_id> events;
};

/// From a reservation actor to its event actor: move this reservation's seats.
enum class seat_move : uint8_t { commit, release, expire, return_to_sale, prolong };
struct seat_change {
  reservation_id reservation;
  seat_move move = seat_move::release;
  timestamp until; // prolong
};

/// From a reservation actor to its event actor after every change (the event's read model for
/// listing and for replacing events safely). A change that gives seats back (release, expire,
/// return_to_sale) carries its move: the change is stored already, so the seats go back in the
/// same message instead of a request and its answer (nothing waits on that answer).
struct reservation_changed {
  domain::reservation_state state;
  std::optional<seat_move> release;
};

/// From an event actor to the listener of its reservations' endings (the event's waiting room):
/// this reservation stopped holding seats (confirmed, cancelled, expired or failed), so the
/// admission it came through no longer counts as active.
struct reservation_ended {
  reservation_id reservation;
};
/// From an event actor to its waiting room: the event's seats reached another stock level
/// (domain::stock_of), so the line pauses, stops or moves again. Sent when the level changes and
/// once when the room registers.
struct stock_report {
  domain::stock_level level = domain::stock_level::on_sale;
};
using ending_listener =
    caf::typed_actor<caf::reacts_to<reservation_ended>, caf::reacts_to<stock_report>>;

/// From a waiting room to its event actor at start: send `listener` every reservation_ended and
/// stock_report.
struct listen_for_endings {
  ending_listener listener;
};

/// From the snapshot store's callback to the actor that committed: batch `token` is durable
/// (or failed with `error`). See durable_queue.
struct persisted {
  uint64_t token = 0;
  std::optional<failure> error;
};

/// Only with unsafe_switches::ack_holds_before_apply (negative control): a hold acknowledged
/// from a check, applied when this message comes back (unsafe_apply_delay later).
struct deferred_hold {
  domain::hold_seats command;
};

} // namespace tt::actors
