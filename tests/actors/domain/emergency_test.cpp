#include "actors/domain/emergency.hpp"

#include <doctest/doctest.h>

using namespace tt::domain;

namespace {

const tt::event_id sale{"sale-1"};
const tt::event_id other{"sale-2"};

} // namespace

TEST_CASE("emergency: with no switch on, writes and joins go on") {
  emergency_switches s;
  CHECK_FALSE(write_refusal(s, sale));
  CHECK_FALSE(join_refusal(s, sale));
}

TEST_CASE("emergency: an event's breaker refuses writes to that event only, with a retry hint") {
  emergency_switches s;
  switch_breaker(s, sale, true);
  auto refused = write_refusal(s, sale);
  REQUIRE(refused);
  CHECK(refused->code == tt::errc::unavailable);
  CHECK(refused->message.find("sale-1") != std::string::npos);
  REQUIRE(refused->details.size() == 1);
  CHECK(refused->details[0].field == "retry_after");
  CHECK_FALSE(write_refusal(s, other));
  CHECK(join_refusal(s, sale));
  CHECK_FALSE(join_refusal(s, other));
  switch_breaker(s, sale, false);
  CHECK_FALSE(write_refusal(s, sale));
}

TEST_CASE("emergency: the node's breaker refuses every event and closing it keeps event breakers") {
  emergency_switches s;
  switch_breaker(s, sale, true);
  switch_breaker(s, tt::event_id{}, true);
  CHECK(write_refusal(s, other));
  switch_breaker(s, tt::event_id{}, false);
  CHECK_FALSE(write_refusal(s, other));
  CHECK(write_refusal(s, sale));
}

TEST_CASE("emergency: maintenance refuses joins but not writes") {
  emergency_switches s;
  s.maintenance = true;
  CHECK_FALSE(write_refusal(s, sale));
  auto refused = join_refusal(s, sale);
  REQUIRE(refused);
  CHECK(refused->code == tt::errc::unavailable);
  CHECK(refused->message.find("maintenance") != std::string::npos);
}

TEST_CASE("emergency: a cancel-all ends unpaid holds and leaves sales and ended reservations") {
  CHECK(cancelled_by_operator(reservation_status::pending));
  CHECK(cancelled_by_operator(reservation_status::hold));
  CHECK_FALSE(cancelled_by_operator(reservation_status::confirmed));
  CHECK_FALSE(cancelled_by_operator(reservation_status::refunded));
  CHECK_FALSE(cancelled_by_operator(reservation_status::cancelled));
  CHECK_FALSE(cancelled_by_operator(reservation_status::expired));
  CHECK_FALSE(cancelled_by_operator(reservation_status::failed));
}
