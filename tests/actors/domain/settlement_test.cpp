// How a payment's result bears on its reservation: given both states, the outcome confirmation
// learns, the settlement step, and whether the payment is owed back.
#include <doctest/doctest.h>

#include "actors/domain/settlement.hpp"

using namespace tt;
using namespace tt::domain;

namespace {

payment_state payment(payment_status status, const char* reservation = "r-1") {
  payment_state p;
  p.id = payment_intent_id{"p-1"};
  p.reservation = reservation_id{reservation};
  p.status = status;
  p.amount = money{200'000, "KRW"};
  return p;
}

reservation_state reservation(reservation_status status, const char* paid_by = "") {
  reservation_state r;
  r.id = reservation_id{"r-1"};
  r.status = status;
  r.payment_intent_id = paid_by;
  return r;
}

settlement_step step_of(payment_status p, reservation_status r, const char* paid_by = "") {
  return settlement_of(payment(p), reservation(r, paid_by)).step;
}

} // namespace

TEST_CASE("an intent approves only the reservation it pays for, once completed") {
  auto approved = outcome_for(payment(payment_status::completed), reservation_id{"r-1"});
  CHECK(approved.payment_intent_id == "p-1");
  CHECK(approved.verdict == payment_verdict::approved);
  CHECK(approved.amount.amount == 200'000);
  CHECK(outcome_for(payment(payment_status::failed), reservation_id{"r-1"}).verdict ==
        payment_verdict::declined);
  CHECK(outcome_for(payment(payment_status::processing), reservation_id{"r-1"}).verdict ==
        payment_verdict::pending);
  auto elsewhere = outcome_for(payment(payment_status::completed), reservation_id{"r-2"});
  CHECK(elsewhere.verdict == payment_verdict::pending);
  CHECK(elsewhere.amount.amount == 0);
}

TEST_CASE("an approval confirms a hold, and is refunded when the hold is gone") {
  CHECK(step_of(payment_status::completed, reservation_status::hold) ==
        settlement_step::confirm_hold);
  CHECK(step_of(payment_status::completed, reservation_status::expired) ==
        settlement_step::refund_payment);
  // Confirmed by another intent: this one paid for nothing.
  CHECK(step_of(payment_status::completed, reservation_status::confirmed, "p-2") ==
        settlement_step::refund_payment);
  auto again = settlement_of(payment(payment_status::completed),
                             reservation(reservation_status::confirmed, "p-1"));
  CHECK(again.step == settlement_step::none);
  CHECK(again.why == "confirmed by this payment already");
}

TEST_CASE("a decline fails a hold, a refund refunds the reservation it confirmed") {
  CHECK(step_of(payment_status::failed, reservation_status::hold) == settlement_step::fail_hold);
  CHECK(step_of(payment_status::failed, reservation_status::cancelled) == settlement_step::none);
  CHECK(step_of(payment_status::refunded, reservation_status::confirmed, "p-1") ==
        settlement_step::refund_reservation);
  CHECK(step_of(payment_status::refunded, reservation_status::confirmed, "p-2") ==
        settlement_step::none);
}

TEST_CASE("an intent without a result yet changes nothing") {
  auto open =
      settlement_of(payment(payment_status::processing), reservation(reservation_status::hold));
  CHECK(open.step == settlement_step::none);
  CHECK(open.why == "the payment has no result yet (processing)");
}

TEST_CASE("a completed payment that did not pay for its reservation is owed back") {
  CHECK(is_orphaned(payment(payment_status::completed), reservation(reservation_status::expired)));
  CHECK(is_orphaned(payment(payment_status::completed),
                    reservation(reservation_status::confirmed, "p-2")));
  CHECK_FALSE(is_orphaned(payment(payment_status::completed),
                          reservation(reservation_status::confirmed, "p-1")));
  CHECK_FALSE(
      is_orphaned(payment(payment_status::refunded), reservation(reservation_status::expired)));
  CHECK_FALSE(is_orphaned(payment(payment_status::completed, "r-2"),
                          reservation(reservation_status::expired)));
}

TEST_CASE("refunded and cancelled intents are undone") {
  CHECK(is_undone(payment_status::refunded));
  CHECK(is_undone(payment_status::cancelled));
  CHECK_FALSE(is_undone(payment_status::completed));
  CHECK_FALSE(is_undone(payment_status::expired));
}
