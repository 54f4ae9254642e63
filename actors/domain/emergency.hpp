#pragma once
/// The node's emergency switches (AdminService.EmergencyAction, issue #31) as plain rules: what
/// is switched (maintenance, STOP_ADMISSIONS for every room, the circuit breaker for the node or
/// for single events) and what each switch refuses. The shard region keeps one and persists it,
/// so a restarted node comes back with the same switches; adapters only translate.
///
/// The circuit breaker refuses new client writes (holds, confirms, cancels, extensions,
/// releases, payment calls, waiting-room joins) with UNAVAILABLE and a retry hint; reads and the
/// node's own work (hold expiry, payment results) go on, so seats still come back to sale.

#include <optional>
#include <set>

#include "actors/common/failure.hpp"
#include "actors/common/ids.hpp"
#include "actors/domain/reservation.hpp"

namespace tt::domain {

struct emergency_switches {
  /// MAINTENANCE_MODE: new waiting-room joins are refused.
  bool maintenance = false;
  /// STOP_ADMISSIONS without an event: every room is stopped, and rooms added later start
  /// stopped.
  bool all_stopped = false;
  /// CIRCUIT_BREAKER without an event: writes to every event are refused.
  bool node_breaker = false;
  /// CIRCUIT_BREAKER for these events only.
  std::set<event_id> broken_events;
};

/// Opens (`open`) or closes the breaker of `event`, or the node's when `event` is empty. Closing
/// the node's breaker leaves the events' own breakers as they are: they were switched one by one.
void switch_breaker(emergency_switches& s, const event_id& event, bool open);

/// Why a client's write to `event` is refused now, or nullopt when it may go on.
std::optional<failure> write_refusal(const emergency_switches& s, const event_id& event);

/// Why a join to `event`'s waiting room is refused now (maintenance, or an open breaker).
std::optional<failure> join_refusal(const emergency_switches& s, const event_id& event);

/// CANCEL_RESERVATIONS ends the reservations that hold seats not yet paid for; confirmed sales
/// and reservations already ended are left alone.
bool cancelled_by_operator(reservation_status status) noexcept;

} // namespace tt::domain
