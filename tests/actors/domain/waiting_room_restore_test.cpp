// waiting room restore: given a room stored entry by entry, when it is restored after a restart,
// then every entry keeps its token, place and admission, and only heartbeats start afresh.
#include <algorithm>

#include <doctest/doctest.h>

#include "actors/domain/waiting_room.hpp"
#include "tests/actors/domain/waiting_room_fixture.hpp"

using namespace tt;
using namespace tt::domain;
using namespace tt::domain::waiting_room_testing;

namespace {

/// What the store holds for `r`: every entry's record and the room's numbers.
std::vector<stored_entry> stored_entries(const room& r) {
  std::vector<stored_entry> out;
  for (const auto& token : r.state.tokens())
    out.push_back(*r.state.stored_entry_of(token));
  return out;
}

room restored(const room& before, timestamp now) {
  auto back =
      waiting_room_state::restore(before.state.event(), before.state.policy(),
                                  before.state.stored_numbers(), stored_entries(before), now);
  REQUIRE_MESSAGE(back, back.error().message);
  room out{before.state.policy()};
  out.state = std::move(*back);
  return out;
}

} // namespace

TEST_CASE("a restored room keeps every place, the serving counter and each admission") {
  room r{with_inlet(3, 100)};
  for (int n = 1; n <= 8; ++n)
    r.join(n);
  r.run(tick{}, t0);                // 1..3 ready
  auto grant = r.admit(1, t0 + 1s); // 1 admitted
  r.admit(2, t0 + 1s);              // 2 admitted, then its token spent
  r.run(consume_admission{admission_nonce{"n-2"}, user_id{"user-2"}}, t0 + 2s);
  r.run(leave_queue{waiting_token_id{"w-5"}}, t0 + 2s); // a gap in the line

  auto later = t0 + 30s;
  auto back = restored(r, later);
  CHECK(back.state.serving_counter() == 3);
  CHECK(back.position(3, later).status == entry_status::ready);
  CHECK(back.position(4, later).position == 1);
  CHECK(back.position(6, later).position == 2); // the gap stays closed
  CHECK(back.position(8, later).position == 4);
  CHECK_FALSE(back.present(5, later));
  // Heartbeats start afresh: nobody is expired for the time the node was down.
  CHECK(back.position(8, later).expires_at == later + r.state.policy().idle_timeout);
  // The admitted token is still single use: 1 may spend it once, 2 already did.
  back.run(consume_admission{grant.nonce, user_id{"user-1"}}, later);
  CHECK(back.rejection(consume_admission{grant.nonce, user_id{"user-1"}}, later).code ==
        errc::forbidden);
  CHECK(back.rejection(consume_admission{admission_nonce{"n-2"}, user_id{"user-2"}}, later).code ==
        errc::forbidden);
  auto stats = back.state.stats(later);
  CHECK(stats.total_admitted == 2);
  CHECK(stats.admitted == 2);
  CHECK(stats.ready == 1);
  CHECK(stats.waiting == 4);
  // A join after the restart goes to the back of the line with a sequence never used before.
  back.join(9, later);
  CHECK(back.position(9, later).position == 5);
  CHECK(back.state.stored_entry_of(waiting_token_id{"w-9"})->sequence == 9);
  // Joining again with a stored (user, session) is a rejoin, not a second place.
  auto again =
      back.run(join_queue{waiting_token_id{"w-99"}, user_id{"user-4"}, session_id{"s-4"}}, later);
  CHECK(std::get<queue_rejoined>(again.front()).token == waiting_token_id{"w-4"});
}

TEST_CASE("a restored room's inlet refills from the restart instead of admitting a burst") {
  room r{with_inlet(2, 100)};
  for (int n = 1; n <= 10; ++n)
    r.join(n);
  auto later = t0 + 1min;
  auto back = restored(r, later);
  CHECK(back.run(tick{}, later).empty());
  CHECK(advanced_by(back.run(tick{}, later + 1s)) == 2);
  CHECK(back.position(3, later + 1s).position == 1);
}

TEST_CASE("a ready entry that was never admitted gets a full claim window after a restart") {
  room r{with_inlet(1, 100)};
  r.join(1);
  r.run(tick{}, t0);
  auto later = t0 + 50s; // 10 s before its original claim window would have ended
  auto back = restored(r, later);
  CHECK(back.position(1, later).status == entry_status::ready);
  CHECK(back.position(1, later).expires_at == later + r.state.policy().claim_window);
}

TEST_CASE("stopped admissions stay stopped after a restart") {
  room r{with_inlet(10, 100)};
  r.run(stop_admissions{}, t0);
  r.join(1);
  auto back = restored(r, t0 + 5s);
  CHECK(back.state.stats(t0 + 5s).admissions_stopped);
  CHECK(back.run(tick{}, t0 + 10s).empty());
}

TEST_CASE("stored entries that contradict each other are refused as corruption") {
  room r;
  r.join(1);
  r.join(2);
  auto entries = stored_entries(r);
  SUBCASE("same token") {
    entries[1].token = entries[0].token;
  }
  SUBCASE("same sequence") {
    entries[1].sequence = entries[0].sequence;
  }
  SUBCASE("same user and session") {
    entries[1].user = entries[0].user;
    entries[1].session = entries[0].session;
  }
  auto back = waiting_room_state::restore(r.state.event(), r.state.policy(),
                                          r.state.stored_numbers(), entries, t0);
  REQUIRE_FALSE(back);
  CHECK(back.error().code == errc::data_corruption);
}

TEST_CASE("a new policy moves every entry's deadline") {
  room r;
  r.join(1);
  auto shorter = r.state.policy();
  shorter.idle_timeout = 10s;
  r.state.set_policy(shorter);
  CHECK(r.position(1).expires_at == t0 + 10s);
  auto due = r.run(tick{}, t0 + 10s);
  REQUIRE(std::any_of(due.begin(), due.end(), [](const waiting_room_event& e) {
    return std::holds_alternative<entry_removed>(e);
  }));
  CHECK_FALSE(r.present(1, t0 + 10s));
}
