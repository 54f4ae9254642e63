// Property test: seeded random sequences of every inventory command, checking after each step that
// the counters add up, no seat has two holders, holds are all-or-nothing, and rejections change
// nothing.
#include <map>
#include <random>
#include <set>

#include "actors/domain/event_inventory.hpp"
#include "inventory_fixture.hpp"

using namespace tt::domain;
using namespace tt::domain::testing;

namespace {

struct model {
  std::map<std::string, std::size_t> live; // reservation → seats it was granted

  void observe(const inventory_event& e) {
    std::visit(
        [this](const auto& ev) {
          using E = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<E, seats_held>)
            live[ev.reservation()] = ev.seats.size();
          else if constexpr (!std::is_same_v<E, seats_sold>)
            live.erase(ev.reservation());
        },
        e);
  }
};

void check_exclusive(const event_inventory_state& inv, const model& m, tt::timestamp now) {
  std::set<std::string> owned;
  for (const auto& [r, count] : m.live) {
    auto mine = inv.seats_of(tt::reservation_id{r}, now);
    REQUIRE(mine.size() == count); // never part of a request
    for (const auto& v : mine)
      REQUIRE(owned.insert(v.id()).second); // never two holders
  }
  auto c = inv.totals(now);
  REQUIRE(c.available + c.held + c.sold + c.blocked == inv.capacity());
}

const std::vector<std::string> all_seats = {"A-1-1", "A-1-2", "A-1-3", "A-1-4", "A-1-5",
                                            "A-2-1", "A-2-2", "A-2-3", "A-2-4", "A-2-5",
                                            "B-1-1", "B-1-2", "B-1-3", "B-1-4"};

inventory_command random_command(std::mt19937& rng, int serial, const model& m, tt::timestamp now) {
  auto pick = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng);
  };
  auto some_reservation = [&]() -> tt::reservation_id {
    if (m.live.empty() || pick(10) == 0)
      return tt::reservation_id{"r" + std::to_string(pick(serial + 1))};
    auto it = m.live.begin();
    std::advance(it, static_cast<long>(pick(m.live.size())));
    return tt::reservation_id{it->first};
  };
  auto until = now + std::chrono::seconds{1 + pick(60)};
  auto name = "r" + std::to_string(serial);
  switch (pick(8)) {
    case 0:
    case 1: {
      std::vector<tt::seat_id> ids;
      for (std::size_t n = 1 + pick(4); n > 0; --n)
        ids.emplace_back(all_seats[pick(all_seats.size())]);
      return hold_seats{tt::reservation_id{name}, std::move(ids), 0, {}, until};
    }
    case 2:
      return hold_seats{tt::reservation_id{name},
                        {},
                        static_cast<int32_t>(1 + pick(5)),
                        pick(3) == 0 ? "B" : "",
                        until};
    case 3:
    case 4:
      return commit_seats{some_reservation()};
    case 5:
      return release_seats{some_reservation()};
    case 6:
      return pick(2) == 0 ? inventory_command{return_seats{some_reservation()}}
                          : inventory_command{prolong_hold{some_reservation(), until}};
    default:
      return expire_holds{};
  }
}

} // namespace

TEST_CASE("random command sequences keep every inventory invariant") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    std::mt19937 rng{seed};
    auto inv = make_inventory();
    model m;
    auto now = t0;
    int accepted = 0;
    for (int step = 0; step < 10'000; ++step) {
      now += std::chrono::milliseconds{std::uniform_int_distribution<int>{0, 3000}(rng)};
      if (now >= t0 + 50min)
        now = t0; // stay inside the sale window; going back in time must be harmless too
      auto cmd = random_command(rng, step, m, now);
      auto before = fingerprint(inv, now);
      auto events = decide(inv, cmd, now);
      if (!events) {
        REQUIRE(fingerprint(inv, now) == before);
        continue;
      }
      ++accepted;
      for (const auto& e : *events) {
        apply(inv, e);
        m.observe(e);
      }
      REQUIRE(inv.check_invariants().has_value());
      check_exclusive(inv, m, now);
    }
    CHECK(accepted > 1000);
  }
}

TEST_CASE("a 50,000-seat stadium handles many holds without scanning everything") {
  event_definition def = small_hall();
  def.sections.clear();
  for (int s = 0; s < 10; ++s) {
    section_definition sec{"S" + std::to_string(s), "Section", 50'000 + 10'000 * (s % 3), {}};
    for (int r = 0; r < 50; ++r) {
      row_definition row{std::to_string(r), {}};
      for (int n = 0; n < 100; ++n)
        row.seat_numbers.push_back(std::to_string(n));
      sec.rows.push_back(std::move(row));
    }
    def.sections.push_back(std::move(sec));
  }
  def.blocked_seats.clear();
  auto inv = make_inventory(def);
  REQUIRE(inv.capacity() == 50'000);
  std::mt19937 rng{7};
  int held = 0;
  for (int i = 0; i < 12'000; ++i) {
    auto q = std::uniform_int_distribution<int32_t>{1, 10}(rng);
    auto events = decide(inv, hold_quantity(("q" + std::to_string(i)).c_str(), q), t0);
    if (!events)
      break;
    for (const auto& e : *events)
      apply(inv, e);
    held += q;
  }
  CHECK(inv.totals(t0).held == held);
  CHECK(inv.totals(t0).available == 50'000 - held);
  CHECK(inv.check_invariants().has_value());
}
