// The user update hub on the test coordinator: streams sign up and are pushed their user's
// changes only (filters by id and topic), a stopped subscriber is forgotten, EXPIRING_SOON goes
// out at the lead time only for a hold still held (an extension moves it, even one that arrives
// before the creation; a cancel stops it), payment changes carry the status they left,
// redeliveries are absorbed, and SendMessage counts the streams that took a message.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "actors/runtime/user_hub_actor.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"

namespace tt::actors::testing {

namespace {

using rs = domain::reservation_status;
using ps = domain::payment_status;

/// What one stand-in stream was pushed.
struct recording {
  std::vector<reservation_update> reservations;
  std::vector<payment_update> payments;
  std::vector<user_message> messages;
};

struct hub_fixture : runtime_fixture {
  hub_fixture() {
    user_hub_settings s;
    s.time = clock;
    s.expiring_soon = 10s;
    hub = spawn_user_hub(sys, s);
  }

  /// A stream's stand-in, signed up for `user`'s `topic`; `takes`: whether it accepts messages.
  std::pair<user_subscriber, std::shared_ptr<recording>>
  stream(const std::string& user, stream_topic topic = stream_topic::reservations,
         std::vector<std::string> ids = {}, const std::string& session = "s", bool takes = true) {
    auto log = std::make_shared<recording>();
    auto sub = sys.spawn([log, takes](user_subscriber::pointer) -> user_subscriber::behavior_type {
      return {
          [log](update_pushed& u) {
            if (auto* r = std::get_if<reservation_update>(&u.update))
              log->reservations.push_back(*r);
            else
              log->payments.push_back(std::get<payment_update>(u.update));
          },
          [log, takes](message_pushed& m) {
            log->messages.push_back(m.message);
            return takes;
          },
      };
    });
    auto ack = send<user_watching>(
        hub, user_watch{user_id{user}, session_id{session}, topic, std::move(ids), sub});
    run();
    REQUIRE(ack->ok());
    return {sub, log};
  }

  void feed_reservation(const std::string& id, const std::string& user, rs status,
                        std::chrono::milliseconds left = 60s) {
    domain::reservation_state r;
    r.id = reservation_id{id};
    r.owner = user_id{user};
    r.status = status;
    r.hold_expires_at = clock->now() + left;
    caf::anon_send(hub, reservation_seen{r, clock->now()});
    run();
  }

  void feed_payment(const std::string& id, const std::string& user, ps status) {
    domain::payment_state p;
    p.id = payment_intent_id{id};
    p.owner = user_id{user};
    p.status = status;
    caf::anon_send(hub, payment_seen{p, clock->now()});
    run();
  }

  message_delivered deliver(const std::string& user, const std::string& session = {},
                            user_message m = {}) {
    m.content = "hello";
    auto out =
        send<message_delivered>(hub, message_delivery{user_id{user}, session_id{session}, m});
    run();
    REQUIRE(out->ok());
    return *out->value;
  }

  user_hub_actor hub;
};

} // namespace

TEST_CASE("a stream is pushed its user's reservation changes in order, and no one else's") {
  hub_fixture f;
  auto [a, alice] = f.stream("alice");
  auto [b, bob] = f.stream("bob");
  f.feed_reservation("r-1", "alice", rs::hold);
  f.feed_reservation("r-1", "alice", rs::confirmed);
  f.feed_reservation("r-1", "alice", rs::refunded);
  REQUIRE(alice->reservations.size() == 3);
  CHECK(alice->reservations[0].old_status == rs::unspecified);
  CHECK(alice->reservations[0].new_status == rs::hold);
  CHECK(alice->reservations[1].old_status == rs::hold);
  CHECK(alice->reservations[1].new_status == rs::confirmed);
  CHECK(alice->reservations[2].old_status == rs::confirmed);
  CHECK(alice->reservations[2].new_status == rs::refunded);
  CHECK(bob->reservations.empty());
}

TEST_CASE("filters: a stream follows only its listed ids, and only its topic") {
  hub_fixture f;
  auto [s1, only_r2] = f.stream("alice", stream_topic::reservations, {"r-2"});
  auto [s2, payments] = f.stream("alice", stream_topic::payments);
  f.feed_reservation("r-1", "alice", rs::hold);
  f.feed_reservation("r-2", "alice", rs::hold);
  REQUIRE(only_r2->reservations.size() == 1);
  CHECK(only_r2->reservations[0].reservation == reservation_id{"r-2"});
  CHECK(payments->reservations.empty());
  f.feed_payment("p-1", "alice", ps::pending);
  CHECK(payments->payments.size() == 1);
  CHECK(only_r2->payments.empty());
}

TEST_CASE("a stopped subscriber is forgotten, one subscriber is one stream") {
  hub_fixture f;
  auto [sub, log] = f.stream("alice");
  CHECK(f.deliver("alice").streams == 1);
  caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
  f.run();
  CHECK(f.deliver("alice").streams == 0);
  f.feed_reservation("r-1", "alice", rs::hold);
  CHECK(log->reservations.empty());
  auto [c1, first] = f.stream("carol");
  auto [c2, second] = f.stream("carol", stream_topic::payments);
  auto ack = f.send<user_watching>(
      f.hub, user_watch{user_id{"dave"}, session_id{}, stream_topic::payments, {}, c2});
  f.run();
  REQUIRE(ack->ok());
  CHECK(ack->value->streams == 2); // carol's first, and c2 now dave's; alice's is gone
}

TEST_CASE("EXPIRING_SOON at the lead time, once, while the hold is still held") {
  hub_fixture f;
  auto [sub, log] = f.stream("alice");
  f.feed_reservation("r-1", "alice", rs::hold, 60s);
  f.advance(49s);
  CHECK(log->reservations.size() == 1); // the creation only
  f.advance(1s);
  REQUIRE(log->reservations.size() == 2);
  CHECK(log->reservations[1].change == reservation_change::expiring_soon);
  CHECK(log->reservations[1].new_status == rs::hold);
  f.advance(5s);
  CHECK(log->reservations.size() == 2); // not again
}

TEST_CASE("an extension moves EXPIRING_SOON, a hold that ended first gets none") {
  hub_fixture f;
  auto [sub, log] = f.stream("alice");
  f.feed_reservation("r-1", "alice", rs::hold, 60s);
  f.feed_reservation("r-2", "alice", rs::hold, 60s);
  auto deadline = f.clock->now() + 60s;
  f.advance(20s);
  // reservation.extended: the hold again, with its new deadline; then a redelivery of it.
  f.feed_reservation("r-1", "alice", rs::hold, 70s);
  f.feed_reservation("r-1", "alice", rs::hold, 70s);
  f.feed_reservation("r-2", "alice", rs::cancelled);
  REQUIRE(log->reservations.size() == 4); // two creations, one extension (redelivery absorbed)
  CHECK(log->reservations[2].change == reservation_change::extended);
  CHECK(log->reservations[2].hold_expires_at == deadline + 30s);
  f.advance(30s); // 50 s: r-1's old warning time, r-2's too
  CHECK(log->reservations.size() == 4);
  f.advance(30s); // 80 s: r-1's new one
  REQUIRE(log->reservations.size() == 5);
  CHECK(log->reservations[4].reservation == reservation_id{"r-1"});
  CHECK(log->reservations[4].change == reservation_change::expiring_soon);
}

TEST_CASE("a hold shorter than the lead time is warned at once, after its creation") {
  hub_fixture f;
  auto [sub, log] = f.stream("alice");
  f.feed_reservation("r-1", "alice", rs::hold, 3s);
  REQUIRE(log->reservations.size() == 2);
  CHECK(log->reservations[0].change == reservation_change::status);
  CHECK(log->reservations[1].change == reservation_change::expiring_soon);
}

TEST_CASE("payment changes carry the status they left, a redelivery is absorbed") {
  hub_fixture f;
  auto [sub, log] = f.stream("alice", stream_topic::payments, {"p-1"});
  f.feed_payment("p-1", "alice", ps::pending);
  f.feed_payment("p-1", "alice", ps::processing);
  f.feed_payment("p-1", "alice", ps::processing);
  f.feed_payment("p-1", "alice", ps::expired);
  f.feed_payment("p-2", "alice", ps::completed);
  REQUIRE(log->payments.size() == 3);
  CHECK(log->payments[0].old_status == ps::unspecified);
  CHECK(log->payments[1].old_status == ps::pending);
  CHECK(log->payments[1].new_status == ps::processing);
  CHECK(log->payments[2].old_status == ps::processing);
  CHECK(log->payments[2].new_status == ps::expired);
}

TEST_CASE("SendMessage: every matching stream that takes it counts, an id is minted anyway") {
  hub_fixture f;
  auto [a1, on_s1] = f.stream("alice", stream_topic::reservations, {}, "s1");
  auto [a2, on_s2] = f.stream("alice", stream_topic::payments, {}, "s2");
  auto [a3, full] = f.stream("alice", stream_topic::payments, {}, "s3", false);
  auto all = f.deliver("alice");
  CHECK(all.streams == 2);
  CHECK(all.message_id.rfind("m-", 0) == 0);
  CHECK(on_s1->messages.size() == 1);
  CHECK(on_s1->messages[0].message_id == all.message_id);
  CHECK(f.deliver("alice", "s2").streams == 1);
  CHECK(on_s1->messages.size() == 1);
  CHECK(on_s2->messages.size() == 2);
  auto none = f.deliver("nobody");
  CHECK(none.streams == 0);
  CHECK(!none.message_id.empty());
  CHECK(none.message_id != all.message_id);
}

TEST_CASE("SendMessage: a copy from another node keeps that node's id and time") {
  hub_fixture f;
  auto [a1, on_s1] = f.stream("alice", stream_topic::reservations, {}, "s1");
  user_message copy;
  copy.message_id = "m-minted-elsewhere";
  copy.sent_at = timestamp{std::chrono::milliseconds{1'700'000'000'000}};
  auto out = f.deliver("alice", {}, copy);
  CHECK(out.streams == 1);
  CHECK(out.message_id == "m-minted-elsewhere");
  CHECK(out.sent_at == copy.sent_at);
  REQUIRE(on_s1->messages.size() == 1);
  CHECK(on_s1->messages[0].message_id == "m-minted-elsewhere");
  CHECK(on_s1->messages[0].sent_at == copy.sent_at);
}

} // namespace tt::actors::testing
