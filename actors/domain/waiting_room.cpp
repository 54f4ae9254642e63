// apply and the read side of the waiting room: indexes kept in step, positions, ETA, stats.
#include "actors/domain/waiting_room.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "actors/common/invariant.hpp"
#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

/// A shorter measurement says more about tick jitter than about the rate.
constexpr std::chrono::milliseconds min_measured_span = std::chrono::seconds{1};

} // namespace

std::string_view to_string(removal_reason reason) noexcept {
  switch (reason) {
    case removal_reason::left:
      return "left";
    case removal_reason::idle:
      return "idle";
    case removal_reason::unclaimed:
      return "unclaimed";
    case removal_reason::admission_unused:
      return "admission_unused";
    case removal_reason::active_lifetime_over:
      return "active_lifetime_over";
    case removal_reason::finished:
      return "finished";
    case removal_reason::released:
      return "released";
  }
  return "unknown";
}

waiting_room_state::waiting_room_state(event_id event, waiting_room_policy policy)
    : event_(std::move(event)), policy_(policy) {}

result<waiting_room_state> waiting_room_state::restore(event_id event, waiting_room_policy policy,
                                                       const stored_room& numbers,
                                                       std::vector<stored_entry> entries,
                                                       timestamp now) {
  waiting_room_state s{std::move(event), policy};
  s.serving_counter_ = numbers.serving_counter;
  s.stopped_ = numbers.admissions_stopped;
  s.joins_closed_ = numbers.joins_closed;
  s.total_admitted_ = numbers.total_admitted;
  s.total_wait_ = numbers.total_wait;
  s.inlet_started_ = true; // empty, refilling from now
  s.refilled_at_ = now;
  auto corrupt = [&](const std::string& what, const stored_entry& e) {
    return fail(errc::data_corruption, "stored waiting room " + s.event_() + ": " + what +
                                           " (entry " + std::to_string(e.sequence) + ")");
  };
  uint64_t largest = s.serving_counter_;
  std::unordered_set<uint64_t> sequences; // only to refuse duplicates
  sequences.reserve(entries.size());
  for (auto& stored : entries) {
    if (stored.sequence == 0 || !sequences.insert(stored.sequence).second)
      return corrupt("duplicate or zero sequence", stored);
    if (s.entries_.contains(stored.token) ||
        s.by_member_.count({stored.user(), stored.session()}) != 0)
      return corrupt("duplicate token or member", stored);
    entry& e = s.entries_.try_emplace(stored.token).first->second;
    e.token = stored.token;
    e.user = stored.user;
    e.session = stored.session;
    e.sequence = stored.sequence;
    e.joined_at = stored.joined_at;
    e.last_seen_at = now;
    if (stored.admitted) {
      if (!s.by_nonce_.try_emplace(stored.nonce, &e).second)
        return corrupt("duplicate nonce", stored);
      e.status = entry_status::admitted;
      e.nonce = stored.nonce;
      e.admission_expires_at = stored.admission_expires_at;
      e.admitted_at = stored.admitted_at;
      e.consumed = stored.consumed;
      ++s.admitted_count_;
    } else if (stored.sequence <= s.serving_counter_) {
      e.status = entry_status::ready;
      e.claim_by = now + policy.claim_window;
      ++s.ready_count_;
    } else {
      s.line_.emplace(stored.sequence, &e);
      s.line_ranks_.insert(stored.sequence);
    }
    e.deadline = s.deadline_of(e);
    s.deadlines_.emplace(std::make_pair(e.deadline, e.sequence), &e);
    s.by_member_.emplace(std::make_pair(e.user(), e.session()), &e);
    largest = std::max(largest, stored.sequence);
  }
  s.next_sequence_ = largest + 1;
  return s;
}

void waiting_room_state::set_policy(const waiting_room_policy& policy) {
  policy_ = policy;
  deadlines_.clear();
  entries_.for_each([&](auto& element) {
    entry& e = element.second;
    e.deadline = deadline_of(e);
    deadlines_.emplace(std::make_pair(e.deadline, e.sequence), &e);
  });
}

std::optional<stored_entry>
waiting_room_state::stored_entry_of(const waiting_token_id& token) const {
  const entry* e = find(token);
  if (e == nullptr)
    return std::nullopt;
  bool admitted = e->status == entry_status::admitted;
  return stored_entry{e->token,       e->user,    e->session, e->sequence,
                      e->joined_at,   admitted,   e->nonce,   e->admission_expires_at,
                      e->admitted_at, e->consumed};
}

stored_room waiting_room_state::stored_numbers() const noexcept {
  return {serving_counter_, stopped_, total_admitted_, total_wait_, joins_closed_};
}

std::vector<waiting_token_id> waiting_room_state::tokens() const {
  std::vector<waiting_token_id> out;
  out.reserve(entries_.size());
  entries_.for_each([&](const auto& element) { out.push_back(element.first); });
  return out;
}

const waiting_room_state::entry* waiting_room_state::find(const waiting_token_id& token) const {
  const auto* found = entries_.find(token);
  return found == nullptr ? nullptr : &found->second;
}

waiting_room_state::entry& waiting_room_state::at(const waiting_token_id& token) {
  auto* found = entries_.find(token);
  if (found == nullptr)
    invariant_breach("waiting room " + event_() + ": event names unknown token " + token());
  return found->second;
}

timestamp waiting_room_state::deadline_of(const entry& e) const noexcept {
  switch (e.status) {
    case entry_status::waiting:
      return e.last_seen_at + policy_.idle_timeout;
    case entry_status::ready:
      return std::min(e.last_seen_at + policy_.idle_timeout, e.claim_by);
    case entry_status::admitted:
      return e.consumed ? e.admitted_at + policy_.active_lifetime : e.admission_expires_at;
  }
  return e.last_seen_at;
}

void waiting_room_state::reschedule(entry& e) {
  deadlines_.erase({e.deadline, e.sequence});
  e.deadline = deadline_of(e);
  deadlines_.emplace(std::make_pair(e.deadline, e.sequence), &e);
}

void waiting_room_state::remove(const entry& e) {
  by_member_.erase({e.user(), e.session()});
  deadlines_.erase({e.deadline, e.sequence});
  switch (e.status) {
    case entry_status::waiting:
      line_.erase(e.sequence);
      line_ranks_.erase(e.sequence);
      break;
    case entry_status::ready:
      --ready_count_;
      break;
    case entry_status::admitted:
      by_nonce_.erase(e.nonce);
      --admitted_count_;
      break;
  }
  entries_.erase(waiting_token_id{e.token}); // a copy: erasing destroys e
}

void waiting_room_state::apply_joined(const queue_joined& e) {
  if (e.sequence != next_sequence_)
    invariant_breach("waiting room " + event_() + ": join out of sequence");
  entry& added = entries_.try_emplace(e.token).first->second;
  added.token = e.token;
  added.user = e.user;
  added.session = e.session;
  added.sequence = e.sequence;
  added.joined_at = added.last_seen_at = e.at;
  added.deadline = deadline_of(added);
  by_member_.emplace(std::make_pair(e.user(), e.session()), &added);
  line_.emplace(e.sequence, &added);
  line_ranks_.insert(e.sequence);
  deadlines_.emplace(std::make_pair(added.deadline, e.sequence), &added);
  next_sequence_ = e.sequence + 1;
}

void waiting_room_state::apply_seen(const waiting_token_id& token, timestamp at) {
  entry& e = this->at(token);
  e.last_seen_at = at;
  reschedule(e);
}

void waiting_room_state::apply_advanced(const serving_advanced& e) {
  if (e.count > line_.size())
    invariant_breach("waiting room " + event_() + ": serving past the end of the line");
  for (uint64_t i = 0; i < e.count; ++i) {
    auto [sequence, next] = *line_.begin();
    line_.erase(line_.begin());
    line_ranks_.erase(sequence);
    entry& ready = *next;
    ready.status = entry_status::ready;
    ready.claim_by = e.at + policy_.claim_window;
    reschedule(ready);
    serving_counter_ = sequence;
  }
  ready_count_ += e.count;
  inlet_started_ = true;
  credit_ = e.credit_after;
  refilled_at_ = e.at;
  if (!measuring_) {
    measuring_ = true;
    measuring_since_ = e.at;
  } else {
    recent_.push_back({e.at, e.count});
    recent_total_ += e.count;
  }
  while (!recent_.empty() && recent_.front().at <= e.at - policy_.rate_window) {
    recent_total_ -= recent_.front().count;
    recent_.pop_front();
  }
}

void waiting_room_state::apply_granted(const admission_granted& e) {
  entry& granted = at(e.token);
  if (granted.status != entry_status::ready)
    invariant_breach("waiting room " + event_() + ": admission of an entry that is not ready");
  granted.status = entry_status::admitted;
  granted.nonce = e.nonce;
  granted.admission_expires_at = e.expires_at;
  granted.admitted_at = e.at;
  by_nonce_.try_emplace(e.nonce, &granted);
  --ready_count_;
  ++admitted_count_;
  ++total_admitted_;
  total_wait_ += e.at - granted.joined_at;
  reschedule(granted);
}

void apply(waiting_room_state& s, const waiting_room_event& event) {
  std::visit(overloaded{
                 [&](const queue_joined& e) { s.apply_joined(e); },
                 [&](const queue_rejoined& e) { s.apply_seen(e.token, e.at); },
                 [&](const entry_seen& e) { s.apply_seen(e.token, e.at); },
                 [&](const serving_advanced& e) { s.apply_advanced(e); },
                 [&](const admission_granted& e) { s.apply_granted(e); },
                 [&](const admission_reissued&) {},
                 [&](const admission_consumed& e) {
                   auto& consumed = s.at(e.token);
                   consumed.consumed = true;
                   s.reschedule(consumed);
                 },
                 [&](const entry_removed& e) {
                   if (e.reason == removal_reason::released)
                     s.released_.insert(e.token);
                   s.remove(s.at(e.token));
                 },
                 [&](const admissions_stopped& e) {
                   s.stopped_ = true;
                   s.inlet_started_ = true;
                   s.credit_ = e.credit_at_stop;
                 },
                 [&](const admissions_resumed& e) {
                   s.stopped_ = false;
                   s.refilled_at_ = e.at;
                 },
                 // The bucket keeps filling while the line pauses, at most a second's worth, as
                 // an idle inlet does.
                 [&](const stock_changed& e) { s.stock_ = e.level; },
                 [&](const line_closed&) { s.joins_closed_ = true; },
                 [&](const line_reopened&) {
                   s.joins_closed_ = false;
                   s.released_.clear(); // whoever was released may join again
                 },
             },
             event);
}

double waiting_room_state::admission_rate(timestamp now, bool* measured) const {
  *measured = false;
  if (measuring_) {
    auto window_start = std::max(measuring_since_, now - policy_.rate_window);
    auto span = now - window_start;
    // Only samples that aged out since the last advance need a look: a status poll stays O(1).
    uint64_t count = recent_total_;
    for (auto it = recent_.begin(); it != recent_.end() && it->at <= window_start; ++it)
      count -= it->count;
    if (span >= min_measured_span && count > 0) {
      *measured = true;
      return static_cast<double>(count) * 1000.0 / static_cast<double>(span.count());
    }
  }
  return static_cast<double>(policy_.admissions_per_second);
}

int32_t waiting_room_state::eta_seconds(uint64_t position, timestamp now) const {
  bool measured = false;
  double rate = admission_rate(now, &measured);
  constexpr auto longest = std::numeric_limits<int32_t>::max();
  if (rate <= 0.0)
    return longest; // a closed inlet (rate 0): no honest estimate but "not soon"
  double seconds = std::ceil(static_cast<double>(position) / rate);
  return seconds >= longest ? longest : static_cast<int32_t>(seconds);
}

result<queue_position> waiting_room_state::position_of(const waiting_token_id& token,
                                                       timestamp now) const {
  const entry* e = find(token);
  if (e == nullptr)
    return released(token)
               ? why_released(event_)
               : fail(errc::not_found, "no such waiting token: it left the queue or expired");
  queue_position out{e->status, 0, 0, e->deadline, line_halt::moving};
  if (e->status == entry_status::waiting) {
    out.position = line_ranks_.rank(e->sequence);
    out.eta_seconds = eta_seconds(out.position, now);
    out.halt = halt();
  }
  return out;
}

waiting_room_stats waiting_room_state::stats(timestamp now) const {
  waiting_room_stats out;
  out.waiting = line_.size();
  out.ready = ready_count_;
  out.admitted = admitted_count_;
  out.total_admitted = total_admitted_;
  out.admission_rate = admission_rate(now, &out.rate_measured);
  if (total_admitted_ > 0)
    out.average_wait = total_wait_ / static_cast<int64_t>(total_admitted_);
  out.admissions_stopped = stopped_;
  out.stock = stock_;
  out.joins_closed = joins_closed_;
  return out;
}

admission_claims waiting_room_state::claims_of(const admission_granted& grant) const {
  return {event_, grant.user, grant.expires_at, grant.nonce};
}

} // namespace tt::domain
