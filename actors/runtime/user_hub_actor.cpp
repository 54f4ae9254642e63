#include "actors/runtime/user_hub_actor.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/due_queue.hpp"

namespace tt::actors {

namespace {

/// How long the hub waits for a subscriber to say whether its stream took a message.
constexpr auto message_timeout = std::chrono::seconds{2};

/// Whether the stream signed up with `w` follows `id` on `topic`: empty ids follow every one
/// (a request lists at most a few dozen, so a scan beats a set).
bool follows(const user_watch& w, stream_topic topic, const std::string& id) {
  return w.topic == topic &&
         (w.ids.empty() || std::find(w.ids.begin(), w.ids.end(), id) != w.ids.end());
}

/// A hold the feed reported and has not yet reported ended.
struct tracked_hold {
  user_id owner;
  timestamp expires_at;
  /// EXPIRING_SOON went out for this deadline.
  bool warned = false;
};

struct user_hub_actor_state {
  static inline const char* name = "user_hub";
  user_hub_settings settings;
  /// Open streams by subscriber, as they signed up.
  std::map<caf::actor_addr, user_watch> streams;
  /// Invariant: holds exactly the keys of `streams`, grouped by their user.
  std::unordered_map<user_id, std::set<caf::actor_addr>> by_user;
  std::unordered_map<reservation_id, tracked_hold> holds;
  /// Each tracked hold's next look (its warning, or forgetting it), under one timer: a delayed
  /// message per hold would take each through CAF's one clock thread, thousands a second in a
  /// flash sale. An entry whose hold moved or ended since is skipped when it comes due.
  due_queue<hold_due> checks;
  /// Intents not yet final, with their last status.
  std::unordered_map<payment_intent_id, domain::payment_status> open_payments;
  /// Message ids ("m-<ulid>").
  ulid_generator ids{0};
  size_t logged_streams = 0;
};

using self_pointer = user_hub_actor::stateful_pointer<user_hub_actor_state>;

timestamp now_of(self_pointer self) {
  return self->state.settings.time->now();
}

void log_count(self_pointer self) {
  auto& st = self->state;
  if (st.streams.size() == st.logged_streams)
    return;
  st.logged_streams = st.streams.size();
  spdlog::info("user streams: {} open", st.logged_streams);
}

/// Sends `msg` to every stream of `user` that follows `id` on `topic`.
void push(self_pointer self, const user_id& user, stream_topic topic, const std::string& id,
          const update_pushed& msg) {
  auto& st = self->state;
  auto it = st.by_user.find(user);
  if (it == st.by_user.end())
    return;
  for (const auto& addr : it->second)
    if (const auto& s = st.streams.at(addr); follows(s, topic, id))
      self->send(s.subscriber, msg);
}

void push_reservation(self_pointer self, const user_id& owner, reservation_update u) {
  auto id = u.reservation();
  push(self, owner, stream_topic::reservations, id, update_pushed{std::move(u)});
}

/// Schedules the hold's next check: the warning (if any lead time) or forgetting it. One already
/// due goes as a message, never into `checks`: arm also runs while take_due visits it.
void arm(self_pointer self, const reservation_id& id, const tracked_hold& h) {
  auto& st = self->state;
  const auto& s = st.settings;
  auto due = s.expiring_soon.count() > 0 && !h.warned ? h.expires_at - s.expiring_soon
                                                      : h.expires_at + s.forget_after;
  auto now = now_of(self);
  if (due <= now)
    self->send(self, hold_due{id, h.expires_at});
  else if (auto at = st.checks.add(due, hold_due{id, h.expires_at}))
    wake_at(self, now, *at);
}

/// The status a reservation left: fixed by the state machine (reservation.cpp's apply).
domain::reservation_status previous_of(domain::reservation_status now) {
  using st = domain::reservation_status;
  switch (now) {
    case st::hold:
    case st::unspecified:
    case st::pending:
      return st::unspecified;
    case st::refunded:
      return st::confirmed;
    case st::confirmed:
    case st::cancelled:
    case st::expired:
    case st::failed:
      return st::hold;
  }
  return st::unspecified;
}

/// A hold's lifecycle events: its creation, then one per extension (the same status with a new
/// deadline), in order, since one reservation's events share a partition. A repeated deadline is
/// a redelivery, already told.
void on_hold(self_pointer self, const reservation_seen& seen) {
  auto& st = self->state;
  const auto& r = seen.record;
  auto [it, fresh] = st.holds.try_emplace(r.id, tracked_hold{r.owner, r.hold_expires_at});
  if (!fresh && it->second.expires_at == r.hold_expires_at)
    return;
  it->second.expires_at = r.hold_expires_at;
  it->second.warned = false;
  arm(self, r.id, it->second);
  push_reservation(self, r.owner,
                   {r.id, fresh ? previous_of(r.status) : r.status, r.status, r.hold_expires_at,
                    fresh ? reservation_change::status : reservation_change::extended, seen.at});
}

void on_reservation(self_pointer self, const reservation_seen& seen) {
  const auto& r = seen.record;
  if (r.status == domain::reservation_status::hold) {
    on_hold(self, seen);
    return;
  }
  self->state.holds.erase(r.id);
  push_reservation(self, r.owner,
                   {r.id, previous_of(r.status), r.status, r.hold_expires_at,
                    reservation_change::status, seen.at});
}

void on_hold_due(self_pointer self, const hold_due& d) {
  auto& st = self->state;
  auto it = st.holds.find(d.reservation);
  if (it == st.holds.end()) // ended
    return;
  if (it->second.expires_at != d.expires_at) // moved
    return;
  auto now = now_of(self);
  if (now >= d.expires_at + st.settings.forget_after) {
    st.holds.erase(it);
    return;
  }
  if (!it->second.warned && st.settings.expiring_soon.count() > 0) {
    it->second.warned = true;
    push_reservation(self, it->second.owner,
                     {d.reservation, domain::reservation_status::hold,
                      domain::reservation_status::hold, d.expires_at,
                      reservation_change::expiring_soon, now});
  }
  arm(self, d.reservation, it->second);
}

/// The status an intent left, when the hub did not see it: where the state machine fixes it.
domain::payment_status unseen_previous_of(domain::payment_status now) {
  using st = domain::payment_status;
  switch (now) {
    case st::processing:
      return st::pending;
    case st::completed:
    case st::failed:
      return st::processing;
    case st::refunded:
      return st::completed;
    case st::unspecified:
    case st::pending:
    case st::cancelled:
    case st::expired:
      return st::unspecified;
  }
  return st::unspecified;
}

void on_payment(self_pointer self, const payment_seen& seen) {
  auto& st = self->state;
  const auto& p = seen.record;
  auto it = st.open_payments.find(p.id);
  auto old = it != st.open_payments.end() ? it->second : unseen_previous_of(p.status);
  if (it != st.open_payments.end() && it->second == p.status) // a redelivery
    return;
  if (domain::is_final(p.status))
    st.open_payments.erase(p.id);
  else
    st.open_payments[p.id] = p.status;
  push(self, p.owner, stream_topic::payments, p.id(),
       update_pushed{payment_update{p.id, old, p.status, p.failure_reason, seen.at}});
}

void forget(self_pointer self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto it = st.streams.find(addr);
  if (it == st.streams.end())
    return;
  auto user = st.by_user.find(it->second.user);
  user->second.erase(addr);
  if (user->second.empty())
    st.by_user.erase(user);
  st.streams.erase(it);
  log_count(self);
}

user_watching watch(self_pointer self, const user_watch& w) {
  auto& st = self->state;
  auto addr = w.subscriber.address();
  forget(self, addr); // a subscriber signing up again replaces its subscription
  self->monitor(w.subscriber);
  st.streams[addr] = w;
  st.by_user[w.user].insert(addr);
  log_count(self);
  return {st.streams.size()};
}

/// Offers the message to every matching stream; the reply counts those that took it.
caf::result<message_delivered> deliver(self_pointer self, message_delivery m) {
  auto& st = self->state;
  if (m.message.message_id.empty()) {
    auto now = now_of(self);
    m.message.message_id = "m-" + st.ids.next(now)();
    m.message.sent_at = now;
  }
  message_delivered out{0, m.message.message_id, m.message.sent_at};
  std::vector<user_subscriber> targets;
  if (auto it = st.by_user.find(m.user); it != st.by_user.end())
    for (const auto& addr : it->second)
      if (const auto& s = st.streams.at(addr); m.session().empty() || s.session == m.session)
        targets.push_back(s.subscriber);
  if (targets.empty())
    return out;
  struct tally {
    size_t waiting;
    message_delivered reply;
    caf::typed_response_promise<message_delivered> promise;
  };
  auto count = std::make_shared<tally>(
      tally{targets.size(), std::move(out), self->make_response_promise<message_delivered>()});
  auto answered = [count](int32_t streams_that_took_it) {
    count->reply.streams += streams_that_took_it;
    if (--count->waiting == 0)
      count->promise.deliver(count->reply);
  };
  for (const auto& t : targets)
    self->request(t, message_timeout, message_pushed{m.message})
        .then([answered](bool took) { answered(took ? 1 : 0); },
              [answered](caf::error&) { answered(0); }); // a stream that went away took none
  return count->promise;
}

} // namespace

user_hub_actor spawn_user_hub(caf::actor_system& sys, user_hub_settings settings) {
  return sys.spawn([settings =
                        std::move(settings)](self_pointer self) -> user_hub_actor::behavior_type {
    self->state.settings = settings;
    self->state.ids = ulid_generator{std::random_device{}()};
    self->set_down_handler([self](caf::down_msg& down) { forget(self, down.source); });
    return {
        [=](const user_watch& w) { return watch(self, w); },
        [=](message_delivery& m) { return deliver(self, std::move(m)); },
        [=](const reservation_seen& r) { on_reservation(self, r); },
        [=](const payment_seen& p) { on_payment(self, p); },
        [=](const hold_due& d) { on_hold_due(self, d); },
        [=](due_atom) {
          auto now = now_of(self);
          auto next =
              self->state.checks.take_due(now, [&](const hold_due& d) { on_hold_due(self, d); });
          if (next)
            wake_at(self, now, *next);
        },
    };
  });
}

} // namespace tt::actors
