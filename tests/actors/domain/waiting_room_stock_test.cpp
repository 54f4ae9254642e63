// waiting room and its event's inventory (issue #31): given a room, when the event reports its
// stock level, then the line pauses, stops for good or moves again, and every waiting entry
// says why.
#include "actors/domain/waiting_room.hpp"

#include <doctest/doctest.h>

#include "tests/actors/domain/waiting_room_fixture.hpp"

using namespace tt;
using namespace tt::domain;
using namespace tt::domain::waiting_room_testing;

TEST_CASE("stock_of: available seats are on sale, otherwise held ones decide") {
  CHECK(stock_of(1, 0) == stock_level::on_sale);
  CHECK(stock_of(3, 7) == stock_level::on_sale);
  CHECK(stock_of(0, 2) == stock_level::all_held);
  CHECK(stock_of(0, 0) == stock_level::sold_out);
}

TEST_CASE("a room whose seats are all held admits nobody until seats come back") {
  room r{with_inlet(10, 100)};
  for (int n = 1; n <= 30; ++n)
    r.join(n);
  auto paused = r.run(report_stock{stock_level::all_held}, t0);
  REQUIRE(paused.size() == 1);
  CHECK(std::get<stock_changed>(paused.front()).level == stock_level::all_held);
  CHECK(r.run(report_stock{stock_level::all_held}, t0).empty()); // no change, no event
  CHECK(r.run(tick{}, t0 + 1s).empty());
  CHECK(r.state.serving_counter() == 0);
  CHECK(r.position(1).halt == line_halt::all_held);
  CHECK(r.position(30).halt == line_halt::all_held);
  r.run(report_stock{stock_level::on_sale}, t0 + 2s);
  CHECK(r.position(1).halt == line_halt::moving);
  // A paused inlet saves up at most a second of admissions, as an idle one does.
  CHECK(advanced_by(r.run(tick{}, t0 + 2s)) == 10);
  CHECK(r.position(1).halt == line_halt::moving); // ready now: nothing halts it
}

TEST_CASE("a sold-out room admits nobody, refuses ready entries, and says so to everyone") {
  room r{with_inlet(10, 100)};
  for (int n = 1; n <= 12; ++n)
    r.join(n);
  CHECK(advanced_by(r.run(tick{}, t0)) == 10);
  r.admit(1, t0); // admitted before the sell-out: its grant stands
  r.run(report_stock{stock_level::sold_out}, t0 + 1s);
  CHECK(r.run(tick{}, t0 + 2s).empty());
  CHECK(r.position(11).halt == line_halt::sold_out);
  CHECK(r.position(12).halt == line_halt::sold_out);
  CHECK(r.position(11).status == entry_status::waiting);
  auto refused = r.rejection(
      request_admission{waiting_token_id{"w-2"}, user_id{"user-2"}, admission_nonce{"n-2"}},
      t0 + 2s);
  CHECK(refused.code == errc::insufficient_inventory);
  CHECK(refused.message.find("sold out") != std::string::npos);
  CHECK(r.position(2).status == entry_status::ready); // refused, not consumed
  // The retry of a grant given before the sell-out is the same grant, not a new admission.
  auto again = r.run(
      request_admission{waiting_token_id{"w-1"}, user_id{"user-1"}, admission_nonce{"n-other"}},
      t0 + 2s);
  CHECK(std::holds_alternative<admission_reissued>(again.front()));
  CHECK(r.state.stats(t0 + 2s).total_admitted == 1);
  CHECK(r.state.stats(t0 + 2s).stock == stock_level::sold_out);
}

TEST_CASE("seats coming back after a sell-out (a refund) open the line again") {
  room r{with_inlet(10, 100)};
  for (int n = 1; n <= 3; ++n)
    r.join(n);
  r.run(report_stock{stock_level::sold_out}, t0);
  CHECK(r.run(tick{}, t0 + 1s).empty());
  r.run(report_stock{stock_level::on_sale}, t0 + 2s);
  CHECK(advanced_by(r.run(tick{}, t0 + 2s)) == 3);
  r.admit(1, t0 + 2s);
}

TEST_CASE("the most telling halt wins: sold out over the operator's stop over all held") {
  room r;
  r.join(1);
  r.run(stop_admissions{}, t0);
  r.run(report_stock{stock_level::all_held}, t0);
  CHECK(r.position(1).halt == line_halt::stopped);
  r.run(report_stock{stock_level::sold_out}, t0);
  CHECK(r.position(1).halt == line_halt::sold_out);
  r.run(report_stock{stock_level::all_held}, t0);
  r.run(resume_admissions{}, t0);
  CHECK(r.position(1).halt == line_halt::all_held);
  CHECK(r.run(tick{}, t0 + 1s).empty()); // resumed by the operator, still no seats
  r.run(report_stock{stock_level::on_sale}, t0 + 1s);
  CHECK(advanced_by(r.run(tick{}, t0 + 1s)) == 1);
}

TEST_CASE("expiries go on while the line is halted") {
  room r;
  r.join(1);
  r.run(report_stock{stock_level::sold_out}, t0);
  auto out = r.run(tick{}, t0 + r.state.policy().idle_timeout);
  REQUIRE(out.size() == 1);
  CHECK(std::get<entry_removed>(out.front()).reason == removal_reason::idle);
}
