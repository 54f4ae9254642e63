// A payment's change reaches its event actor before the change is published. The worker applies
// a payment event by reading the event actor's copy of the payment; if the event could reach the
// worker first (a thread stalled between publishing and telling the event actor), the worker
// would find nothing to do and the approved hold would never be confirmed. The publisher here
// is the fastest Kafka possible: inside publish() it hands the event to the worker's effect and
// runs every actor until it is answered, before the payment actor's handler goes on.
#include <doctest/doctest.h>

#include "actors/runtime/outbox_events.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

struct payment_fixture;

/// For every completed payment published, the worker's effect, applied at once.
class instant_worker final : public event_publisher {
 public:
  void publish(std::vector<outbound_event> events) override;
  payment_fixture* fixture = nullptr;
  std::vector<effect_status> outcomes;
};

struct payment_fixture : runtime_fixture {
  explicit payment_fixture(std::shared_ptr<instant_worker> w = std::make_shared<instant_worker>())
      : runtime_fixture({}, nullptr, 0ms, w), worker(std::move(w)) {
    worker->fixture = this;
    REQUIRE(define(concert()).ok());
  }
  std::shared_ptr<instant_worker> worker;
};

void instant_worker::publish(std::vector<outbound_event> events) {
  for (const auto& e : events) {
    if (e.topic != topic_kind::payment)
      continue;
    auto decoded = decode_event(e.envelope);
    REQUIRE(decoded);
    const auto* p = std::get_if<domain::payment_state>(&decoded->body);
    if (p == nullptr || p->status != domain::payment_status::completed)
      continue;
    auto reply = fixture->send<effect_reply>(
        fixture->region, effect_request::payment_result(p->reservation, p->id, ""));
    fixture->run(); // the rest of the node, while this payment actor's handler waits
    REQUIRE(reply->done);
    REQUIRE(reply->ok());
    outcomes.push_back(reply->value->status);
  }
}

} // namespace

TEST_CASE_FIXTURE(payment_fixture,
                  "an approved payment whose event is applied at once confirms its hold") {
  auto held = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(held.ok());
  const auto& r = held.value->reservation;
  auto intent = ask<payment_reply>(payment_create_request{
      r.id, scope_of("user-1", "c1", "c1"), r.total, 1, domain::payment_scenario::approve, {}});
  REQUIRE_MESSAGE(intent.ok(), caf::to_string(intent.error));
  auto processed =
      ask<payment_reply>(payment_process{intent.value->payment.id, scope_of("", "p1", "p1")});
  REQUIRE_MESSAGE(processed.ok(), caf::to_string(processed.error));
  advance(config->payment.settle_delay + 1s); // the payment settles: completed, published
  REQUIRE(worker->outcomes.size() == 1);
  CHECK(worker->outcomes.front() == effect_status::applied);
  CHECK(get(r.id, "user-1").value->reservation.status == domain::reservation_status::confirmed);
}
