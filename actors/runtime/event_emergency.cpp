// The event actor's part of CANCEL_RESERVATIONS: every hold not yet paid for is released through
// its own reservation actor, as the owner's ReleaseHold would be (stored, seats back to sale,
// lifecycle event published, the waiting room told), so nothing here bypasses the reservation's
// state machine.
#include <memory>

#include "actors/domain/emergency.hpp"
#include "actors/runtime/event_actor_state.hpp"

namespace tt::actors::event_detail {

namespace {

/// How many refusals the answer names; the count covers them all.
constexpr size_t max_problems = 5;

std::string reason_of(const caf::error& err) {
  auto f = to_failure(err);
  return f ? f->message : caf::to_string(err);
}

} // namespace

caf::result<holds_cancelled> cancel_all_holds(self_pointer self, const cancel_holds& c) {
  auto& st = self->state;
  auto out = std::make_shared<holds_cancelled>();
  std::vector<reservation_id> targets;
  st.reservations.for_each([&](reservation_book::value_type& r) {
    auto status = r.second.latest.status;
    if (domain::cancelled_by_operator(status))
      targets.push_back(r.first);
    else if (status == domain::reservation_status::confirmed)
      out->sales_untouched += 1;
  });
  if (targets.empty())
    return *out;
  auto pending = std::make_shared<size_t>(targets.size());
  auto promise = self->make_response_promise<holds_cancelled>();
  for (const auto& id : targets) {
    auto& entry = st.reservations.find(id)->second;
    // Not journaled: the operator's action is not a client's retry-able write, and the key only
    // travels into the reservation actor's scope, which acts for the owner.
    write_scope scope{
        entry.latest.owner, idempotency_key{"operator-cancel/" + c.trace_id}, {}, c.trace_id};
    ask_reservation(self, entry, reservation_release{id, std::move(scope), c.reason, c.event},
                    [=](caf::expected<reservation_reply> reply) mutable {
                      if (reply) {
                        out->cancelled += 1;
                      } else {
                        out->not_cancelled += 1;
                        if (out->problems.size() < max_problems)
                          out->problems.push_back(id() + ": " + reason_of(reply.error()));
                      }
                      if (--*pending == 0)
                        promise.deliver(*out);
                    });
  }
  return promise;
}

} // namespace tt::actors::event_detail
