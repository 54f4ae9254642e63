#include "adapters/grpc/live_subscriptions.hpp"

#include <algorithm>

#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// The system notice an update carries while the event is sold out or the node in maintenance,
/// or when maintenance just ended; false when there is none. Every update says it again while it
/// lasts: the queue stream keeps only the latest unsent update, so a notice sent once could be
/// replaced by the next position before it is written.
bool system_notice(const actors::entry_reply& e, const line_told& before, const std::string& event,
                   v1::SystemUpdate& out) {
  out.set_event_id(event);
  if (e.position.halt == domain::line_halt::sold_out) {
    out.set_event_type(v1::SYSTEM_EVENT_TYPE_EVENT_SOLD_OUT);
    out.set_message(domain::why_halted(event_id{event}, e.position.halt).message);
    return true;
  }
  if (e.maintenance || before.maintenance) {
    out.set_event_type(v1::SYSTEM_EVENT_TYPE_MAINTENANCE_MODE);
    out.set_message(e.maintenance ? "the service is in maintenance: no new joins, and your place "
                                    "in line is kept"
                                  : "maintenance is over: the service takes joins again");
    return true;
  }
  return false;
}

/// The queue event a waiting entry's update names: paused while the line is halted, resumed on
/// the first update after a halt, otherwise a change of place.
v1::QueueEventType waiting_event(const actors::entry_reply& e, const line_told& before) {
  if (e.position.halt != domain::line_halt::moving)
    return v1::QUEUE_EVENT_TYPE_QUEUE_PAUSED;
  return before.halt != domain::line_halt::moving ? v1::QUEUE_EVENT_TYPE_QUEUE_RESUMED
                                                  : v1::QUEUE_EVENT_TYPE_POSITION_CHANGED;
}

} // namespace

std::optional<failure> check_queue_request(const v1::StreamQueueUpdatesRequest& r) {
  // event_id and session_id are informational: the token alone names the entry and its event.
  return request_check{}
      .required("waiting_token", r.waiting_token(), domain::max_waiting_token_length)
      .optional("session_id", r.session_id(), domain::max_session_id_length)
      .optional("event_id", r.event_id())
      .result();
}

bool queue_update_of(const actors::entry_reply& e, entry_presence presence, line_told& told,
                     const std::string& event, const std::string& correlation_id,
                     v1::StreamQueueUpdatesResponse& out) {
  bool gone = presence == entry_presence::gone;
  bool ready = !gone && e.position.status != domain::entry_status::waiting;
  out.set_type(v1::EVENT_TYPE_QUEUE_UPDATE);
  auto* u = out.mutable_queue_update();
  u->set_waiting_token(e.token());
  u->set_position(static_cast<int32_t>(std::min<uint64_t>(e.position.position, INT32_MAX)));
  u->set_eta_seconds(e.position.eta_seconds);
  u->set_admission_ready(ready);
  u->set_event_type(gone    ? v1::QUEUE_EVENT_TYPE_TOKEN_EXPIRED
                    : ready ? v1::QUEUE_EVENT_TYPE_ADMISSION_READY
                            : waiting_event(e, told));
  if (!gone) {
    set_timestamp(u->mutable_expires_at(), e.position.expires_at);
    if (system_notice(e, told, event, *out.mutable_system_update()))
      out.set_type(v1::EVENT_TYPE_SYSTEM_UPDATE);
    else
      out.clear_system_update();
    told = {e.position.halt, e.maintenance};
  }
  // The operator's one-off word (a capacity change, a drain's release) rides on this update;
  // a lasting notice above is said again by every later update anyway.
  if (e.notice != actors::line_notice::none) {
    auto* notice = out.mutable_system_update();
    notice->set_event_id(event);
    notice->set_event_type(v1::SYSTEM_EVENT_TYPE_CAPACITY_CHANGED);
    notice->set_message(e.notice_text);
    out.set_type(v1::EVENT_TYPE_SYSTEM_UPDATE);
  }
  set_timestamp(out.mutable_timestamp(), e.at);
  out.set_correlation_id(correlation_id);
  return !ready && !gone;
}

} // namespace tt::adapters::rpc
