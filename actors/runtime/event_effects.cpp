// The worker's effects on one reservation of this event (see worker_protocol.hpp). Each looks at
// the reservation's current state first and skips what is done already, which is what makes a
// redelivered event harmless.
#include "actors/runtime/event_actor_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"

namespace tt::actors::event_detail {

namespace {

/// Sends `c` to the reservation's actor; applied when the reservation left `from`.
void command(self_pointer self, reservation_entry& entry, reservation_command c, std::string note,
             effect_done done) {
  auto from = entry.latest.status;
  ask_reservation(self, entry, std::move(c),
                  [from, note = std::move(note), done](caf::expected<reservation_reply> r) {
                    if (!r)
                      done(r.error());
                    else if (r->reservation.status == from)
                      done(effect_reply::skipped("nothing to do yet", r->reservation));
                    else
                      done(effect_reply{effect_status::applied, note, r->reservation, r->seats});
                  });
}

void refund_orphans(self_pointer self, const domain::reservation_state& r,
                    const std::string& trace_id, effect_done done) {
  auto orphans = self->state.payments.orphans_of(r);
  if (orphans.empty()) {
    done(effect_reply::skipped("no approved payment without a confirmed reservation", r));
    return;
  }
  auto left = std::make_shared<size_t>(orphans.size());
  auto first_error = std::make_shared<std::optional<caf::error>>();
  for (const auto& id : orphans)
    refund_late_approval(self, id, trace_id, [=](caf::expected<effect_reply> one) {
      if (!one && !*first_error)
        *first_error = one.error();
      if (--*left > 0)
        return;
      if (*first_error)
        done(**first_error);
      else
        done(effect_reply{effect_status::applied,
                          std::to_string(orphans.size()) + " payment(s) refunded",
                          r,
                          {}});
    });
}

/// The continuation that answers `promise`.
effect_done answer(caf::typed_response_promise<effect_reply> promise) {
  return [promise](caf::expected<effect_reply> r) mutable {
    if (r)
      promise.deliver(std::move(*r));
    else
      promise.deliver(std::move(r.error()));
  };
}

} // namespace

effect_done log_failure(const payment_intent_id& id) {
  return [id](caf::expected<effect_reply> r) {
    if (!r)
      spdlog::warn("payment {}: its result is not applied yet: {}", id(),
                   caf::to_string(r.error()));
  };
}

caf::result<effect_reply> apply_effect(self_pointer self, const effect_request& req) {
  auto& st = self->state;
  // Made only where the answer comes later: a handler that holds a promise must answer through it.
  auto later = [self] {
    return self->make_response_promise<effect_reply>();
  };
  if (req.kind == effect_kind::payment_result) {
    auto* found = st.payments.find(req.payment);
    if (found == nullptr)
      return to_caf_error(fail(errc::not_found, "no such payment intent",
                               {{"payment_intent_id", "not found", req.payment().substr(0, 128)}}));
    if (!req.reservation().empty() && found->latest.reservation != req.reservation)
      return to_caf_error(fail(errc::invalid_argument, "the intent pays for another reservation",
                               {{"reservation_id", "not this intent's", req.reservation()}}));
    auto promise = later();
    reconcile(self, found->latest, req.trace_id, answer(promise));
    return promise;
  }
  auto* it = st.reservations.find(req.reservation);
  if (it == nullptr)
    return to_caf_error(fail(errc::not_found, "no such reservation",
                             {{"reservation_id", "not found", req.reservation().substr(0, 128)}}));
  const auto& r = it->second.latest;
  bool held = r.status == domain::reservation_status::hold;
  switch (req.kind) {
    case effect_kind::hold_expiry:
      if (!held)
        return effect_reply::skipped(
            "the reservation is " + std::string{to_string(r.status)} + " already", r);
      if (!domain::hold_lapsed(r, now_of(self)))
        return effect_reply::skipped("the hold was extended; it runs until " +
                                         std::to_string(to_epoch_ms(r.hold_expires_at)) +
                                         " (epoch ms)",
                                     r);
      {
        auto promise = later();
        command(self, it->second, reservation_expire{r.id, req.trace_id}, "expired",
                answer(promise));
        return promise;
      }
    case effect_kind::release_hold:
      if (!held)
        return effect_reply::skipped(
            "the reservation is " + std::string{to_string(r.status)} + ", not held", r);
      {
        auto reason = req.reason.empty() ? "released by an operator's compensation" : req.reason;
        auto promise = later();
        command(self, it->second,
                reservation_release{r.id, system_scope(req.trace_id), std::move(reason)},
                "released", answer(promise));
        return promise;
      }
    case effect_kind::cleanup: {
      auto promise = later();
      if (!domain::hold_lapsed(r, now_of(self))) {
        refund_orphans(self, r, req.trace_id, answer(promise));
        return promise;
      }
      auto done = answer(promise);
      command(
          self, it->second, reservation_expire{r.id, req.trace_id}, "expired",
          [self, id = r.id, trace_id = req.trace_id, done](caf::expected<effect_reply> expired) {
            auto* found = self->state.reservations.find(id);
            if (!expired || found == nullptr) {
              done(std::move(expired));
              return;
            }
            refund_orphans(self, found->second.latest, trace_id,
                           [expired = *expired, done](caf::expected<effect_reply> refunded) {
                             if (!refunded) {
                               done(std::move(refunded));
                               return;
                             }
                             auto both = expired;
                             if (refunded->status == effect_status::applied)
                               both.note += "; " + refunded->note;
                             done(std::move(both));
                           });
          });
      return promise;
    }
    case effect_kind::refund_orphaned_payments: {
      auto promise = later();
      refund_orphans(self, r, req.trace_id, answer(promise));
      return promise;
    }
    case effect_kind::payment_result:
      break;
  }
  return to_caf_error(fail(errc::invalid_argument, "unknown effect"));
}

} // namespace tt::actors::event_detail
