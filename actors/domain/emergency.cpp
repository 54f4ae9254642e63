#include "actors/domain/emergency.hpp"

namespace tt::domain {

namespace {

/// The hint every breaker refusal carries: the switch is manual, so there is no time to name.
error_detail retry_hint(const std::string& scope) {
  return {"retry_after", "circuit breaker open for " + scope + ": retry once an operator closes it",
          "5s"};
}

} // namespace

void switch_breaker(emergency_switches& s, const event_id& event, bool open) {
  if (event().empty())
    s.node_breaker = open;
  else if (open)
    s.broken_events.insert(event);
  else
    s.broken_events.erase(event);
}

std::optional<failure> write_refusal(const emergency_switches& s, const event_id& event) {
  if (s.node_breaker)
    return fail(errc::unavailable,
                "the node's circuit breaker is open: writes are refused, reads still work; "
                "please retry later",
                {retry_hint("the node")});
  if (s.broken_events.count(event) != 0) {
    auto name = event().substr(0, 64);
    return fail(errc::unavailable,
                "the circuit breaker of event " + name +
                    " is open: writes are refused, reads still work; please retry later",
                {retry_hint("event " + name)});
  }
  return std::nullopt;
}

std::optional<failure> join_refusal(const emergency_switches& s, const event_id& event) {
  if (s.maintenance)
    return fail(errc::unavailable,
                "the service is in maintenance: the waiting room takes no new joins right now; "
                "please try again later");
  return write_refusal(s, event);
}

bool cancelled_by_operator(reservation_status status) noexcept {
  return status == reservation_status::pending || status == reservation_status::hold;
}

} // namespace tt::domain
