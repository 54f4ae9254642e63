#include "actors/runtime/payment_actor.hpp"

#include <random>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "actors/runtime/payment_codec.hpp"
#include "actors/runtime/serial_jobs.hpp"

namespace tt::actors {

namespace {

using reply_promise = caf::typed_response_promise<payment_reply>;

/// A client's write waiting for its turn, or a timer (no request).
struct job {
  std::optional<payment_write> request;
  std::optional<reply_promise> promise;
  domain::payment_command timer = domain::settle_payment{};
};

struct payment_actor_state {
  static inline const char* name = "payment";
  domain::payment_state payment;
  caf::actor event;
  std::shared_ptr<const runtime_config> config;
  durable_queue durable;
  std::mt19937_64 random{fresh_seed()};
  ulid_generator ids{0};
  serial_jobs<job> jobs;
};

using self_pointer = payment_actor::stateful_pointer<payment_actor_state>;

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

template <class Atom>
void at(self_pointer self, timestamp when, Atom timer) {
  auto left = when - now_of(self);
  if (left < std::chrono::milliseconds{0})
    left = std::chrono::milliseconds{0};
  self->delayed_send(self, left, timer);
}

/// At spawn (new or recovered): the timers the intent's state calls for.
void arm_timers(self_pointer self) {
  const auto& p = self->state.payment;
  if (p.status == domain::payment_status::processing && p.settles)
    at(self, p.settles_at, settle_atom_v);
  if (p.status == domain::payment_status::pending || p.status == domain::payment_status::processing)
    at(self, p.expires_at, expire_atom_v);
}

void run(self_pointer self, job j);

/// What serial_jobs calls to run this actor's next job.
auto runner(self_pointer self) {
  return [self](job j) {
    run(self, std::move(j));
  };
}

void finish(self_pointer self) {
  self->state.jobs.done(runner(self));
}

/// The command a client's write asks for, minted when its turn comes.
domain::payment_command command_of(self_pointer self, const payment_process&) {
  auto& st = self->state;
  auto shard = shard_of(route_of(st.payment.id)->event, st.config->shard_count);
  auto unique = st.ids.next(now_of(self));
  std::uniform_real_distribution<double> coin{0.0, 1.0};
  return domain::process_payment{"pay_" + unique(), "tx_" + std::to_string(shard) + "_" + unique(),
                                 coin(st.random)};
}
domain::payment_command command_of(self_pointer self, const payment_cancel& c) {
  auto& st = self->state;
  return domain::cancel_payment{c.reason, c.refund_amount, "rf_" + st.ids.next(now_of(self))()};
}

const write_scope& scope_of(const payment_write& w) {
  return std::visit([](const auto& v) -> const write_scope& { return v.scope; }, w);
}

void run(self_pointer self, job j) {
  auto& st = self->state;
  domain::payment_command command = j.timer;
  if (j.request)
    command = std::visit([self](const auto& w) { return command_of(self, w); }, *j.request);
  auto decided = domain::decide(st.payment, command, now_of(self), st.config->payment);
  if (!decided) {
    if (j.promise)
      j.promise->deliver(to_caf_error(decided.error()));
    return;
  }
  if (decided->empty()) // a timer for a state that moved on
    return;
  auto next = st.payment;
  for (const auto& e : *decided)
    next = domain::apply(std::move(next), e);
  auto event = route_of(next.id)->event;
  std::vector<storage::mutation> batch{payment_mutation(event, next)};
  if (j.request && !scope_of(*j.request).key().empty())
    batch.push_back(
        journal_mutation(event, journal_entry_of(scope_of(*j.request), encode_payment_reply({next}),
                                                 now_of(self) + st.config->idempotency.ttl)));
  std::vector<outbound_event> news;
  if (next.status != st.payment.status)
    news.push_back(payment_event(next, st.ids.next(now_of(self)), now_of(self),
                                 j.request ? scope_of(*j.request).trace_id : std::string{}));
  auto events = stage_events(*st.config, event, std::move(news), batch);
  st.jobs.start();
  auto promise = j.promise;
  bool timer = !j.request;
  st.durable.persist(self, st.config->durable_store(), std::move(batch),
                     [=](std::optional<failure> err) mutable {
                       auto& st = self->state;
                       if (err) {
                         spdlog::error("payment {}: change to {} not stored, not applied: {}",
                                       next.id(), to_string(next.status), err->message);
                         if (promise)
                           promise->deliver(to_caf_error(*err));
                         if (timer) { // a timer's change must not be lost: try again shortly
                           auto retry = now_of(self) + std::chrono::seconds{1};
                           if (std::holds_alternative<domain::settle_payment>(command))
                             at(self, retry, settle_atom_v);
                           else
                             at(self, retry, expire_atom_v);
                         }
                         finish(self);
                         return;
                       }
                       // The expiry timer runs from the start; processing adds the settlement.
                       bool started = next.status == domain::payment_status::processing &&
                                      st.payment.status != domain::payment_status::processing;
                       st.payment = next;
                       // The event actor learns the change before it is published: the worker
                       // applies a payment event by reading the event actor's copy of the
                       // payment, and finds nothing to do if that copy is older. Sent after
                       // the publish, the copy could lag whenever this thread stalled between
                       // the two, and an approved hold would stay unconfirmed.
                       caf::anon_send(st.event, payment_changed{st.payment});
                       publish_staged(*st.config, std::move(events));
                       if (started && next.settles)
                         at(self, next.settles_at, settle_atom_v);
                       if (promise)
                         promise->deliver(payment_reply{st.payment});
                       finish(self);
                     });
}

/// Reads and refunds belong to the intent's owner; an empty `who` is the node itself.
std::optional<caf::error> refused(self_pointer self, const user_id& who) {
  if (!who().empty())
    if (auto allowed = domain::authorize(self->state.payment, who); !allowed)
      return to_caf_error(allowed.error());
  return std::nullopt;
}

caf::result<payment_reply> get_payment(self_pointer self, const payment_get& req) {
  if (auto err = refused(self, req.requester))
    return std::move(*err);
  return payment_reply{self->state.payment};
}

caf::result<payment_reply> write_payment(self_pointer self, payment_write req) {
  if (auto err = refused(self, scope_of(req).user))
    return std::move(*err);
  auto promise = self->make_response_promise<payment_reply>();
  self->state.jobs.push(job{std::move(req), promise, {}}, runner(self));
  return promise;
}

} // namespace

payment_actor spawn_payment(caf::actor_system& sys, caf::actor event, domain::payment_state initial,
                            std::shared_ptr<const runtime_config> config) {
  return sys.spawn([event = std::move(event), initial = std::move(initial),
                    config](self_pointer self) mutable -> payment_actor::behavior_type {
    auto& st = self->state;
    st.ids = ulid_generator{std::hash<std::string>{}(initial.id()) ^ fresh_seed()};
    st.payment = std::move(initial);
    st.event = std::move(event);
    st.config = std::move(config);
    arm_timers(self);
    return {
        [=](const payment_get& req) { return get_payment(self, req); },
        [=](payment_process& req) { return write_payment(self, std::move(req)); },
        [=](payment_cancel& req) { return write_payment(self, std::move(req)); },
        [=](settle_atom) {
          self->state.jobs.push(job{std::nullopt, std::nullopt, domain::settle_payment{}},
                                runner(self));
        },
        [=](expire_atom) {
          self->state.jobs.push(job{std::nullopt, std::nullopt, domain::expire_payment{}},
                                runner(self));
        },
        [=](const persisted& p) { self->state.durable.complete(p); },
    };
  });
}

} // namespace tt::actors
