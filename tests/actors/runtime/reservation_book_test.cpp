// The event actor's reservation book without an actor system: handles are empty typed handles,
// present or not, which is all the book looks at.
#include "actors/runtime/reservation_book.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

namespace tt::actors {
namespace {

const timestamp t0{1'000'000ms};
constexpr auto after = std::chrono::milliseconds{2min};

domain::reservation_state reservation(const std::string& id, const std::string& owner,
                                      domain::reservation_status status) {
  domain::reservation_state r;
  r.id = reservation_id{id};
  r.owner = user_id{owner};
  r.status = status;
  return r;
}

const auto confirmed = domain::reservation_status::confirmed;
const auto hold = domain::reservation_status::hold;
const std::optional<reservation_actor> running{reservation_actor{}};

std::vector<std::string> ids_of(const std::vector<domain::reservation_state>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs)
    out.push_back(r.id());
  return out;
}

} // namespace

TEST_CASE("a user's reservations are listed in the order they were made, filtered by status") {
  reservation_book book;
  book.add(reservation("r1", "ann", confirmed), running, t0);
  book.add(reservation("r2", "bob", hold), running, t0);
  book.add(reservation("r3", "ann", hold), std::nullopt, t0);
  CHECK(ids_of(book.of_user(user_id{"ann"}, {})) == std::vector<std::string>{"r1", "r3"});
  CHECK(ids_of(book.of_user(user_id{"ann"}, hold)) == std::vector<std::string>{"r3"});
  CHECK(book.of_user(user_id{"cat"}, {}).empty());
  book.find(reservation_id{"r3"})->second.latest.status = confirmed;
  CHECK(ids_of(book.of_user(user_id{"ann"}, confirmed)) == std::vector<std::string>{"r1", "r3"});
}

TEST_CASE("a pass passivates running actors past their hold, unused long enough, not busy") {
  reservation_book book;
  book.add(reservation("done", "ann", confirmed), running, t0);
  book.add(reservation("held", "ann", hold), running, t0);
  auto& busy = book.add(reservation("busy", "ann", confirmed), running, t0);
  busy.second.in_flight = 1;
  book.add(reservation("asleep", "ann", confirmed), std::nullopt, t0);
  auto& fresh = book.add(reservation("fresh", "ann", confirmed), running, t0);
  book.mark_used(fresh, t0 + 1min);

  REQUIRE(book.begin_pass(t0 + after, after));
  auto idle = book.next_idle(t0 + after, after, 10);
  REQUIRE(idle.size() == 1);
  CHECK(idle[0]->latest.id() == "done");
  CHECK_FALSE(book.passing());
  // The fresh one is listed once its own time has come.
  REQUIRE(book.begin_pass(t0 + 1min + after, after));
  idle = book.next_idle(t0 + 1min + after, after, 10);
  REQUIRE(idle.size() == 1);
  CHECK(idle[0]->latest.id() == "fresh");
}

TEST_CASE("a pass hands out at most a chunk at a time, skipping what was used since") {
  reservation_book book;
  for (int i = 0; i < 5; ++i)
    book.add(reservation("r" + std::to_string(i), "ann", confirmed), running, t0);
  REQUIRE(book.begin_pass(t0 + after, after));
  CHECK_FALSE(book.begin_pass(t0 + after, after)); // one pass at a time
  auto first = book.next_idle(t0 + after, after, 2);
  CHECK(first.size() == 2);
  CHECK(book.passing());
  // One of the rest is used again before its turn: the pass skips it.
  book.mark_used(*book.find(reservation_id{"r0"}), t0 + after);
  auto rest = book.next_idle(t0 + after, after, 10);
  CHECK(rest.size() == 2);
  for (const auto* e : rest)
    CHECK(e->latest.id() != "r0");
  CHECK_FALSE(book.passing());
}

TEST_CASE("a reservation listed twice in one pass is handed out once") {
  reservation_book book;
  auto& r = book.add(reservation("r1", "ann", confirmed), running, t0);
  book.mark_used(r, t0); // a second idle mark at the same time
  REQUIRE(book.begin_pass(t0 + after, after));
  CHECK(book.next_idle(t0 + after, after, 10).size() == 1);
}

} // namespace tt::actors
