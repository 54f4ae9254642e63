// write_journal: what an actor does with the idempotency record machine. Single-threaded and
// synchronous, so it is tested directly, with explicit times.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "actors/runtime/write_journal.hpp"

using namespace tt;
using namespace tt::actors;
using namespace std::chrono_literals;

namespace {

const timestamp t0{1'700'000'000'000ms};

write_scope scope(std::string canonical = "create|concert-1|A-1-1", std::string key = "key-1") {
  write_scope out;
  out.user = user_id{"user-7"};
  out.key = idempotency_key{std::move(key)};
  out.canonical = std::move(canonical);
  return out;
}

reservation_reply a_reply() {
  reservation_reply reply;
  reply.reservation.id = reservation_id{"r-0001-concert-1-01HZZZZZZZZZZZZZZZZZZZZZZZ"};
  reply.reservation.event = event_id{"concert-1"};
  reply.reservation.owner = user_id{"user-7"};
  reply.reservation.status = domain::reservation_status::hold;
  reply.reservation.seats = {seat_id{"A-1-1"}};
  reply.reservation.total = {100'000, "KRW"};
  reply.reservation.created_at = t0;
  reply.reservation.updated_at = t0;
  reply.reservation.hold_expires_at = t0 + 60s;
  reply.seats.push_back(domain::seat_view{
      seat_id{"A-1-1"}, "A", "1", "1", {100'000, "KRW"}, domain::seat_status::held});
  return reply;
}

/// The errc of a tt error; nullopt for any other error (or none).
std::optional<errc> code_of(const caf::error& err) {
  if (auto f = to_failure(err))
    return f->code;
  return std::nullopt;
}

/// The stored reply `early` replays; requires that it is one.
reservation_reply replayed(const std::optional<caf::result<reservation_reply>>& early) {
  REQUIRE(early.has_value());
  REQUIRE(early->flag == caf::rt_value);
  REQUIRE(early->value.match_elements<reservation_reply>());
  return early->value.get_as<reservation_reply>(0);
}

/// The rejection `early` answers with; requires that it is one.
caf::error rejected(const std::optional<caf::result<reservation_reply>>& early) {
  REQUIRE(early.has_value());
  REQUIRE(early->flag == caf::rt_error);
  return early->err;
}

} // namespace

TEST_CASE("a new key runs the write") {
  write_journal journal;
  CHECK_FALSE(journal.begin(scope(), t0).has_value());
}

TEST_CASE("the same request while the first is in flight is refused as concurrent_modification") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  auto again = journal.begin(scope(), t0 + 1ms);
  CHECK(code_of(rejected(again)) == errc::concurrent_modification);
}

TEST_CASE("after finish the same request gets the stored reply and does not run again") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  journal.finish(scope(), encode_reply(a_reply()), t0);
  for (auto later : {t0 + 1ms, t0 + 2min}) {
    auto reply = replayed(journal.begin(scope(), later));
    CHECK(reply.reservation.id == a_reply().reservation.id);
    CHECK(reply.reservation.status == domain::reservation_status::hold);
    CHECK(reply.reservation.hold_expires_at == t0 + 60s);
    REQUIRE(reply.seats.size() == 1);
    CHECK(reply.seats[0].id == seat_id{"A-1-1"});
  }
}

TEST_CASE("a different request under a used key is an idempotency_conflict") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  SUBCASE("while the first is in flight") {
    CHECK(code_of(rejected(journal.begin(scope("create|concert-1|A-1-2"), t0))) ==
          errc::idempotency_conflict);
  }
  SUBCASE("after the first finished") {
    journal.finish(scope(), encode_reply(a_reply()), t0);
    CHECK(code_of(rejected(journal.begin(scope("create|concert-1|A-1-2"), t0))) ==
          errc::idempotency_conflict);
  }
}

TEST_CASE("keys are scoped per user") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  auto other = scope();
  other.user = user_id{"user-8"};
  CHECK_FALSE(journal.begin(other, t0).has_value());
}

TEST_CASE("settle_error with a tt rejection stores it, so a retry gets the same rejection") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  auto rejection = fail(errc::inventory_conflict, "some seats are not available; none were held",
                        {{"seat_ids", "held", "A-1-1"}});
  journal.settle_error(scope(), to_caf_error(rejection), t0);
  auto retry = to_failure(rejected(journal.begin(scope(), t0 + 1s)));
  REQUIRE(retry.has_value());
  CHECK(retry->code == errc::inventory_conflict);
  CHECK(retry->message == rejection.message);
  REQUIRE(retry->details.size() == 1);
  CHECK(retry->details[0].value == "A-1-1");
}

TEST_CASE("settle_error with a CAF system error forgets the run, so a retry runs again") {
  for (auto sec : {caf::sec::request_timeout, caf::sec::request_receiver_down}) {
    CAPTURE(caf::to_string(sec));
    write_journal journal;
    REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
    journal.settle_error(scope(), caf::make_error(sec), t0);
    CHECK_FALSE(journal.begin(scope(), t0 + 1s).has_value());
  }
}

TEST_CASE("records are forgotten once their TTL has passed and the sweep ran") {
  // The node's count of records (its metrics) follows the journal's.
  runtime_config config;
  const auto& records = config.counts->idempotency_records;
  write_journal journal{domain::idempotency_policy{1min, 128},
                        config.share_of(&actor_counts::idempotency_records)};
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  CHECK(records == 1); // in flight
  journal.finish(scope(), encode_reply(a_reply()), t0);
  CHECK(records == 1);

  journal.sweep(t0 + 59s); // before the TTL: kept
  CHECK(code_of(rejected(journal.begin(scope("create|concert-1|A-1-2"), t0 + 59s))) ==
        errc::idempotency_conflict);

  journal.sweep(t0 + 1min);
  CHECK(records == 0);
  // The key is free again: a different request under it runs, the old reply is gone.
  CHECK_FALSE(journal.begin(scope("create|concert-1|A-1-2"), t0 + 1min).has_value());
  CHECK(records == 1);
  // A journal handed over keeps its part; one that goes takes it back.
  auto moved = std::move(journal);
  CHECK(records == 1);
  moved = write_journal{};
  CHECK(records == 0);
}

TEST_CASE("a write without an idempotency key is refused as idempotency_required") {
  write_journal journal;
  CHECK(code_of(rejected(journal.begin(scope("create|concert-1|A-1-1", ""), t0))) ==
        errc::idempotency_required);
}

TEST_CASE("a stored reply that no longer decodes is answered as data_corruption") {
  write_journal journal;
  REQUIRE_FALSE(journal.begin(scope(), t0).has_value());
  journal.finish(scope(), std::string{"\x0a\x10\x0a\x01", 4}, t0);
  CHECK(code_of(rejected(journal.begin(scope(), t0))) == errc::data_corruption);
}
