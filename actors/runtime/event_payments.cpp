#include "actors/runtime/event_actor_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/domain/settlement.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "actors/runtime/payment_codec.hpp"

namespace tt::actors::event_detail {

/// Linked, like reservation actors (see spawn_for).
void start_payment(self_pointer self, const domain::payment_state& state) {
  auto handle =
      spawn_payment(self->system(), caf::actor_cast<caf::actor>(self), state, self->state.config);
  self->link_to(handle);
  self->state.payments.add(state, std::move(handle));
}

caf::result<payment_reply> create_payment(self_pointer self, const payment_create_request& req) {
  auto& st = self->state;
  auto now = now_of(self);
  auto* it = st.reservations.find(req.reservation);
  if (it == nullptr)
    return to_caf_error(fail(errc::not_found, "no such reservation",
                             {{"reservation_id", "not found", req.reservation().substr(0, 128)}}));
  const auto& r = it->second.latest;
  if (r.owner != req.scope.user)
    return to_caf_error(fail(errc::forbidden, "not your reservation"));
  if (auto early = st.writes.begin_as<payment_reply>(req.scope, now, decode_payment_reply))
    return std::move(*early);
  if (r.status != domain::reservation_status::hold || r.hold_expires_at <= now) {
    st.writes.abandon(req.scope, now);
    return to_caf_error(fail(r.status == domain::reservation_status::hold
                                 ? errc::reservation_expired
                                 : errc::failed_precondition,
                             "the reservation is not held: nothing to pay for",
                             {{"reservation_id", "not held", r.id()}}));
  }
  auto id = mint_payment_intent_id(st.shard, st.definition.id, st.ids.next(now));
  auto decided =
      domain::decide(domain::payment_state{},
                     domain::create_payment{id, r.id, req.scope.user, r.owner, r.total, req.amount,
                                            req.method, req.scenario, req.webhook_url},
                     now, st.config->payment);
  if (!decided) {
    st.writes.abandon(req.scope, now);
    return to_caf_error(decided.error());
  }
  domain::payment_state state;
  for (const auto& e : *decided)
    state = domain::apply(std::move(state), e);
  auto bytes = encode_payment_reply({state});
  auto entry = st.writes.entry_of(req.scope, bytes, now);
  auto promise = self->make_response_promise<payment_reply>();
  auto scope = req.scope;
  std::vector<storage::mutation> batch{payment_mutation(st.definition.id, state),
                                       journal_mutation(st.definition.id, entry)};
  // "payment.pending": the intent's first status, so the topic (and a user's payment stream)
  // sees every status it takes, not only the changes after it.
  auto events =
      stage_events(*st.config, st.definition.id,
                   {payment_event(state, st.ids.next(now), now, req.scope.trace_id)}, batch);
  st.durable.persist(self, st.config->durable_store(), std::move(batch),
                     [=](std::optional<failure> err) mutable {
                       auto& st = self->state;
                       if (err) {
                         st.writes.abandon(scope, now_of(self));
                         promise.deliver(to_caf_error(*err));
                         return;
                       }
                       publish_staged(*st.config, std::move(events));
                       start_payment(self, state);
                       st.writes.finish(scope, bytes, now_of(self));
                       promise.deliver(payment_reply{state});
                     });
  return promise;
}

namespace {

/// The user a verb acts for: ProcessPayment and CancelPayment name none, and act for the intent's
/// owner, whose idempotency keys they share.
void act_for(payment_get&, const user_id&) {}
template <class Write>
void act_for(Write& w, const user_id& owner) {
  if (w.scope.user().empty())
    w.scope.user = owner;
}

template <class Verb>
caf::result<payment_reply> route(self_pointer self, Verb req) {
  auto& st = self->state;
  auto* entry = st.payments.find(req.id);
  if (entry == nullptr)
    return to_caf_error(fail(errc::not_found, "no such payment intent",
                             {{"payment_intent_id", "not found", req.id().substr(0, 128)}}));
  act_for(req, entry->latest.owner);
  std::optional<write_scope> scope;
  if (const auto* s = write_scope_of(req))
    scope = *s;
  if (scope)
    if (auto early = st.writes.begin_as<payment_reply>(*scope, now_of(self), decode_payment_reply))
      return std::move(*early);
  auto promise = self->make_response_promise<payment_reply>();
  self->request(entry->handle, std::chrono::seconds{10}, std::move(req))
      .then(
          [=](payment_reply& reply) mutable {
            // The payment actor stored the reply with its change; this is the in-memory copy.
            if (scope)
              self->state.writes.finish(*scope, encode_payment_reply(reply), now_of(self));
            promise.deliver(reply);
          },
          [=](caf::error& err) mutable {
            if (scope)
              self->state.writes.abandon(*scope, now_of(self));
            promise.deliver(err);
          });
  return promise;
}

} // namespace

caf::result<payment_reply> route_payment(self_pointer self, payment_get req) {
  return route(self, std::move(req));
}
caf::result<payment_reply> route_payment(self_pointer self, payment_process req) {
  return route(self, std::move(req));
}
caf::result<payment_reply> route_payment(self_pointer self, payment_cancel req) {
  return route(self, std::move(req));
}

payment_list_answer list_payments(self_pointer self, const payment_list_query& q) {
  payment_list_answer out;
  out.items = self->state.payments.of_user(q.user, q.status, q.reservation);
  out.total = static_cast<int32_t>(out.items.size());
  return out;
}

/// Asks the intent's actor to refund (or cancel) it: its approval came after the hold ended.
void refund_late_approval(self_pointer self, const payment_intent_id& id,
                          const std::string& trace_id, effect_done done) {
  auto* found = self->state.payments.find(id);
  if (found == nullptr) {
    done(effect_reply::without_reservation(effect_status::skipped, "no such payment intent"));
    return;
  }
  payment_cancel cancel;
  cancel.id = id;
  cancel.scope = system_scope(trace_id);
  cancel.scope.user = found->latest.owner;
  cancel.reason = "the hold ended before the payment was approved";
  self->request(found->handle, std::chrono::seconds{10}, std::move(cancel))
      .then(
          [done](payment_reply&) {
            done(effect_reply::without_reservation(effect_status::applied,
                                                   "late approval refunded"));
          },
          [self, id, done](caf::error& err) {
            // Refunded meanwhile (another event of the same intent got there first): done.
            auto* now = self->state.payments.find(id);
            if (now != nullptr && domain::is_undone(now->latest.status)) {
              done(effect_reply::without_reservation(effect_status::skipped, "refunded already"));
              return;
            }
            spdlog::error("payment {}: the refund of a late approval failed: {}", id(),
                          caf::to_string(err));
            done(err);
          });
}

/// The effect_reply of a reservation command sent on the payment path.
reply_handler as_effect(std::string note, effect_done done) {
  return [note = std::move(note), done](caf::expected<reservation_reply> r) {
    if (!r) {
      done(r.error());
      return;
    }
    done(effect_reply{effect_status::applied, note, r->reservation, r->seats});
  };
}

/// Brings a reservation in line with its payment (the worker's payment_result, from the payment
/// topic; in-process without a publisher): approved -> confirm the hold, or refund if the hold is
/// gone (a late approval); declined -> fail the hold; refunded -> refund the confirmed
/// reservation. Also run for every payment at recovery, so a crash between the two steps, or an
/// event the embedded broker lost with the process, heals at start. Every branch looks at the
/// current state first, so applying the same result twice changes nothing the second time.
void reconcile(self_pointer self, const domain::payment_state& p, const std::string& trace_id,
               effect_done done) {
  auto& st = self->state;
  auto* it = st.reservations.find(p.reservation);
  if (it == nullptr) {
    done(to_caf_error(fail(errc::not_found, "the intent's reservation is not in this event")));
    return;
  }
  const auto& r = it->second.latest;
  // The payment's verdict on the hold: approved confirms it, declined fails it.
  reservation_settle settle{r.id, st.payments.outcome_of(p.id, r.id), p.failure_reason, trace_id};
  auto next = domain::settlement_of(p, r);
  switch (next.step) {
    case domain::settlement_step::none:
      done(effect_reply::skipped(std::move(next.why), r));
      return;
    case domain::settlement_step::confirm_hold: {
      auto confirmed = as_effect("confirmed", done);
      ask_reservation(self, it->second, std::move(settle),
                      [self, p, trace_id, confirmed, done](caf::expected<reservation_reply> r) {
                        if (r) {
                          confirmed(std::move(r));
                          return;
                        }
                        // Refused: the reservation actor told this actor its latest state
                        // before it answered, so the rules say why, from that state.
                        const auto& now = self->state.reservations.latest(p.reservation);
                        auto after = domain::settlement_of(p, now);
                        if (after.step == domain::settlement_step::none)
                          done(effect_reply::skipped(after.why, now));
                        else if (after.step == domain::settlement_step::confirm_hold)
                          done(r.error()); // still held: not a verdict on the hold, try again
                        else               // the hold ended meanwhile
                          refund_late_approval(self, p.id, trace_id, done);
                      });
      return;
    }
    case domain::settlement_step::refund_payment:
      refund_late_approval(self, p.id, trace_id, done);
      return;
    case domain::settlement_step::fail_hold:
      ask_reservation(self, it->second, std::move(settle), as_effect("failed", done));
      return;
    case domain::settlement_step::refund_reservation:
      ask_reservation(self, it->second, reservation_refund{r.id, p.id, trace_id},
                      as_effect("refunded", done));
      return;
  }
}

} // namespace tt::actors::event_detail
