// decide for the waiting room: validation, idempotent joins and grants, and the inlet.
#include <algorithm>

#include "actors/common/overloaded.hpp"
#include "actors/domain/waiting_room.hpp"

namespace tt::domain {
namespace {

using events = std::vector<waiting_room_event>;

/// The bucket counts thousandths of an admission, so any rate refills exactly per millisecond.
constexpr int64_t credit_per_admission = 1000;
/// The bucket holds one second of admissions: a late tick catches up at most that much, and an
/// idle inlet never saves up a flood.
constexpr int64_t bucket_fill_ms = 1000;

failure invalid(std::string field, std::string reason) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), ""}});
}

result<void> check_length(const std::string& field, const std::string& value, std::size_t min,
                          std::size_t max) {
  if (value.size() < min || value.size() > max)
    return invalid(field, "must be " + std::to_string(min) + ".." + std::to_string(max) + " bytes");
  return {};
}

failure no_such_entry() {
  return fail(errc::not_found, "no such waiting token: it left the queue or expired");
}

} // namespace

result<events> waiting_room_state::decide_join(const join_queue& c, timestamp now) const {
  if (auto ok = check_length("waiting_token", c.token(), 1, max_waiting_token_length); !ok)
    return ok.error();
  if (auto ok = check_length("user_id", c.user(), 1, max_admission_user_id_length); !ok)
    return ok.error();
  if (auto ok = check_length("session_id", c.session(), 0, max_session_id_length); !ok)
    return ok.error();
  if (auto it = by_member_.find({c.user(), c.session()}); it != by_member_.end())
    return events{queue_rejoined{it->second->token, now}};
  if (joins_closed_)
    return fail(errc::failed_precondition,
                "the line of event " + event_() +
                    " is closed: the operator drained it (DRAIN_QUEUE), no new joins",
                {{"event_id", "line closed", event_()}});
  if (entries_.contains(c.token))
    return fail(errc::already_exists, "waiting token already in use");
  if (entries_.size() >= policy_.max_entries)
    return fail(errc::quota_exceeded,
                "the waiting room is full (" + std::to_string(policy_.max_entries) + " entries)");
  return events{queue_joined{c.token, c.user, c.session, next_sequence_, now}};
}

result<events> waiting_room_state::decide_admission(const request_admission& c,
                                                    timestamp now) const {
  const entry* e = find(c.token);
  if (e == nullptr)
    return no_such_entry();
  if (e->user != c.user)
    return fail(errc::forbidden, "the waiting token belongs to another user");
  switch (e->status) {
    case entry_status::waiting:
      return fail(errc::failed_precondition, "not your turn yet: position " +
                                                 std::to_string(line_ranks_.rank(e->sequence)) +
                                                 " of " + std::to_string(line_.size()));
    case entry_status::admitted:
      if (e->consumed)
        return fail(errc::failed_precondition, "already admitted and the reservation token used");
      return events{admission_reissued{
          admission_granted{e->token, e->user, e->nonce, e->admission_expires_at, e->admitted_at}}};
    case entry_status::ready:
      break;
  }
  // A ready entry of a sold-out event would only be refused by the event: nothing is left to
  // sell, so nobody more is admitted (its ready slot expires unclaimed).
  if (stock_ == stock_level::sold_out)
    return why_halted(event_, line_halt::sold_out);
  if (auto ok = check_length("nonce", c.nonce(), 1, max_admission_nonce_length); !ok)
    return ok.error();
  if (by_nonce_.contains(c.nonce))
    return fail(errc::already_exists, "admission nonce already in use");
  return events{
      admission_granted{e->token, e->user, c.nonce, now + policy_.admission_validity, now}};
}

result<events> waiting_room_state::decide_consume(const consume_admission& c, timestamp now) const {
  const auto* found = by_nonce_.find(c.nonce);
  if (found == nullptr)
    return fail(errc::forbidden, "reservation token unknown here, expired or its user left");
  const entry& e = *found->second;
  if (e.user != c.user)
    return fail(errc::forbidden, "reservation token issued for another user");
  if (e.consumed)
    return fail(errc::forbidden, "reservation token already used");
  if (e.admission_expires_at <= now)
    return fail(errc::forbidden, "reservation token expired");
  return events{admission_consumed{e.token, now}};
}

removal_reason waiting_room_state::why_due(const entry& e) const noexcept {
  switch (e.status) {
    case entry_status::waiting:
      return removal_reason::idle;
    case entry_status::ready:
      return e.claim_by <= e.last_seen_at + policy_.idle_timeout ? removal_reason::unclaimed
                                                                 : removal_reason::idle;
    case entry_status::admitted:
      return e.consumed ? removal_reason::active_lifetime_over : removal_reason::admission_unused;
  }
  return removal_reason::idle;
}

std::vector<waiting_room_event> waiting_room_state::decide_tick(timestamp now) const {
  events out;
  uint64_t left_line = 0;
  uint64_t freed_slots = 0;
  for (const auto& [key, due] : deadlines_) {
    if (key.first > now)
      break;
    const entry& e = *due;
    out.push_back(entry_removed{e.token, why_due(e), now});
    ++(e.status == entry_status::waiting ? left_line : freed_slots);
  }
  if (halt() != line_halt::moving)
    return out;
  uint64_t active = ready_count_ + admitted_count_ - freed_slots;
  uint64_t free_slots = policy_.max_active > active ? policy_.max_active - active : 0;
  int64_t credit = credit_at(now);
  uint64_t count = std::min({static_cast<uint64_t>(credit / credit_per_admission), free_slots,
                             static_cast<uint64_t>(line_.size()) - left_line});
  // An idle tick changes nothing worth persisting: the bucket's level follows from the last
  // advance and the time, so only an actual advance is an event.
  if (count > 0)
    out.push_back(
        serving_advanced{count, credit - static_cast<int64_t>(count) * credit_per_admission, now});
  return out;
}

std::vector<waiting_room_event> waiting_room_state::decide_drain(const drain_line& c,
                                                                 timestamp now) const {
  events out;
  if (!joins_closed_)
    out.push_back(line_closed{now});
  if (line_.empty())
    return out;
  if (c.mode == drain_mode::admit) {
    // Past the inlet: the bucket keeps what it holds, so the rate resumes unchanged afterwards.
    out.push_back(serving_advanced{line_.size(), credit_at(now), now});
    return out;
  }
  for (const auto& [sequence, waiting] : line_)
    out.push_back(entry_removed{waiting->token, removal_reason::released, now});
  return out;
}

int64_t waiting_room_state::credit_at(timestamp now) const noexcept {
  int64_t capacity = int64_t{policy_.admissions_per_second} * credit_per_admission;
  if (!inlet_started_)
    return capacity;
  if (stopped_)
    return credit_;
  int64_t elapsed = std::max<int64_t>(0, (now - refilled_at_).count());
  // It refills admissions_per_second thousandths per millisecond, so one second fills it from
  // empty; checking that first keeps a long gap from overflowing the product.
  if (elapsed >= bucket_fill_ms)
    return capacity;
  return std::min(capacity, credit_ + elapsed * int64_t{policy_.admissions_per_second});
}

stock_level stock_of(int32_t available, int32_t held) noexcept {
  if (available > 0)
    return stock_level::on_sale;
  return held > 0 ? stock_level::all_held : stock_level::sold_out;
}

failure why_halted(const event_id& event, line_halt halt) {
  switch (halt) {
    case line_halt::sold_out:
      return fail(errc::insufficient_inventory,
                  "event " + event() +
                      " is sold out: every seat is sold and none is held, so nobody more will be "
                      "admitted");
    case line_halt::stopped:
      return fail(errc::unavailable, "admissions to event " + event() +
                                         " are paused by the operator; your place is kept");
    case line_halt::all_held:
    case line_halt::moving:
      break;
  }
  return fail(errc::unavailable,
              "every seat of event " + event() +
                  " is held right now: the line pauses until a hold ends or lapses; your place "
                  "is kept");
}

failure why_released(const event_id& event) {
  return fail(errc::failed_precondition,
              "the operator closed the line of event " + event() +
                  " (DRAIN_QUEUE): your place was released and no new joins are taken",
              {{"waiting_token", "released by the operator", ""}});
}

std::string holds_cancelled_notice(const event_id& event, int32_t cancelled) {
  return "the operator cancelled " + std::to_string(cancelled) + " hold(s) of event " + event() +
         ": their seats are back on sale and the line moves again unless something else halts "
         "it; your place is kept";
}

std::optional<std::string> capacity_notice(const event_id& event, const waiting_room_policy& before,
                                           const waiting_room_policy& after) {
  if (before.admissions_per_second == after.admissions_per_second &&
      before.max_active == after.max_active)
    return std::nullopt;
  auto change = [](const char* what, uint32_t was, uint32_t now) {
    return std::string{what} + " " + std::to_string(was) +
           (was == now ? std::string{" (unchanged)"} : " -> " + std::to_string(now));
  };
  return "the operator changed the capacity of event " + event() + "'s line: " +
         change("admissions per second", before.admissions_per_second,
                after.admissions_per_second) +
         ", " + change("users admitted at once", before.max_active, after.max_active) +
         "; your place is kept and your estimated wait follows the new numbers";
}

line_halt waiting_room_state::halt() const noexcept {
  if (stock_ == stock_level::sold_out)
    return line_halt::sold_out;
  if (stopped_)
    return line_halt::stopped;
  return stock_ == stock_level::all_held ? line_halt::all_held : line_halt::moving;
}

result<events> decide(const waiting_room_state& s, const waiting_room_command& command,
                      timestamp now) {
  auto heartbeat = [&](const waiting_token_id& token) -> result<events> {
    const auto* e = s.find(token);
    if (e == nullptr)
      return s.released(token) ? why_released(s.event_) : no_such_entry();
    if (e->status == entry_status::admitted)
      return events{}; // admitted users are off to the reservation: nothing left to keep alive
    return events{entry_seen{token, now}};
  };
  return std::visit(
      overloaded{
          [&](const join_queue& c) { return s.decide_join(c, now); },
          [&](const record_heartbeat& c) { return heartbeat(c.token); },
          [&](const leave_queue& c) -> result<events> {
            if (s.find(c.token) == nullptr)
              return no_such_entry();
            return events{entry_removed{c.token, removal_reason::left, now}};
          },
          [&](const request_admission& c) { return s.decide_admission(c, now); },
          [&](const consume_admission& c) { return s.decide_consume(c, now); },
          [&](const finish_admission& c) -> result<events> {
            const auto* found = s.by_nonce_.find(c.nonce);
            if (found == nullptr)
              return events{}; // already released (expired, left): finishing twice is harmless
            return events{entry_removed{found->second->token, removal_reason::finished, now}};
          },
          [&](const tick&) -> result<events> { return s.decide_tick(now); },
          [&](const stop_admissions&) -> result<events> {
            if (s.stopped_)
              return events{};
            return events{admissions_stopped{s.credit_at(now), now}};
          },
          [&](const resume_admissions&) -> result<events> {
            if (!s.stopped_)
              return events{};
            return events{admissions_resumed{now}};
          },
          [&](const report_stock& c) -> result<events> {
            if (c.level == s.stock_)
              return events{};
            return events{stock_changed{c.level, now}};
          },
          [&](const drain_line& c) -> result<events> { return s.decide_drain(c, now); },
          [&](const reopen_line&) -> result<events> {
            if (!s.joins_closed_)
              return events{};
            return events{line_reopened{now}};
          },
      },
      command);
}

} // namespace tt::domain
