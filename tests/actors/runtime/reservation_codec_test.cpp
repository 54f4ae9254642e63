// reservation_codec: domain reservation values <-> tt.internal.v1 records, and the stored reply of
// a write (a reservation_reply or a rejection). Pure functions: no actor system needed.
#include <doctest/doctest.h>

#include <string>

#include "actors/runtime/reservation_codec.hpp"

using namespace tt;
using namespace tt::actors;
using namespace std::chrono_literals;

namespace {

const timestamp t0{1'700'000'000'000ms};

/// Every field set to a value different from its default, so a dropped field is noticed.
domain::reservation_state full_state() {
  domain::reservation_state s;
  s.id = reservation_id{"r-002a-concert-1-01HZZZZZZZZZZZZZZZZZZZZZZZ"};
  s.event = event_id{"concert-1"};
  s.owner = user_id{"user-7"};
  s.status = domain::reservation_status::confirmed;
  s.seats = {seat_id{"A-1-1"}, seat_id{"A-1-2"}};
  s.total = {250'000, "KRW"};
  s.created_at = t0;
  s.updated_at = t0 + 5s;
  s.hold_expires_at = t0 + 90s;
  s.extensions = 1;
  s.payment_intent_id = "pi_123";
  s.order = order_id{"o-002a-concert-1-01HZZZZZZZZZZZZZZZZZZZZZZZ"};
  return s;
}

domain::seat_view seat(const char* id, const char* row, const char* number,
                       domain::seat_status status) {
  return domain::seat_view{seat_id{id}, "A", row, number, {125'000, "KRW"}, status};
}

void check_same(const domain::reservation_state& a, const domain::reservation_state& b) {
  CHECK(a.id == b.id);
  CHECK(a.event == b.event);
  CHECK(a.owner == b.owner);
  CHECK(a.status == b.status);
  CHECK(a.seats == b.seats);
  CHECK(a.total.amount == b.total.amount);
  CHECK(a.total.currency == b.total.currency);
  CHECK(a.created_at == b.created_at);
  CHECK(a.updated_at == b.updated_at);
  CHECK(a.hold_expires_at == b.hold_expires_at);
  CHECK(a.extensions == b.extensions);
  CHECK(a.payment_intent_id == b.payment_intent_id);
  CHECK(a.order == b.order);
}

void check_same(const domain::seat_view& a, const domain::seat_view& b) {
  CHECK(a.id == b.id);
  CHECK(a.section == b.section);
  CHECK(a.row == b.row);
  CHECK(a.number == b.number);
  CHECK(a.price.amount == b.price.amount);
  CHECK(a.price.currency == b.price.currency);
  CHECK(a.status == b.status);
}

} // namespace

TEST_CASE("a reservation state survives state to record to state with every field") {
  auto state = full_state();
  auto record = to_record(state);
  CHECK(record.id() == state.id());
  CHECK(record.status() == 3); // the contract's RESERVATION_STATUS_CONFIRMED
  CHECK(record.seat_ids_size() == 2);
  CHECK(record.created_at_ms() == t0.time_since_epoch().count());
  check_same(from_record(record), state);
}

TEST_CASE("a record survives serialisation to bytes and back") {
  auto bytes = to_record(full_state()).SerializeAsString();
  tt::internal::v1::ReservationRecord parsed;
  REQUIRE(parsed.ParseFromString(bytes));
  check_same(from_record(parsed), full_state());
}

TEST_CASE("a reply with seats and an extension survives encode_reply and decode_reply") {
  reservation_reply reply{full_state(),
                          {seat("A-1-1", "1", "1", domain::seat_status::held),
                           seat("A-1-2", "1", "2", domain::seat_status::sold)},
                          extension_outcome{true, 30s, "granted in full"}};
  auto decoded = decode_reply(encode_reply(reply));
  REQUIRE(decoded.has_value());
  check_same(decoded->reservation, reply.reservation);
  REQUIRE(decoded->seats.size() == 2);
  check_same(decoded->seats[0], reply.seats[0]);
  check_same(decoded->seats[1], reply.seats[1]);
  REQUIRE(decoded->extension.has_value());
  CHECK(decoded->extension->allowed);
  CHECK(decoded->extension->granted == 30s);
  CHECK(decoded->extension->note == "granted in full");
}

TEST_CASE("a reply without an extension decodes without one, and a denied extension stays denied") {
  reservation_reply plain{full_state(), {}, std::nullopt};
  auto decoded = decode_reply(encode_reply(plain));
  REQUIRE(decoded.has_value());
  CHECK_FALSE(decoded->extension.has_value());
  CHECK(decoded->seats.empty());

  reservation_reply denied{full_state(), {}, extension_outcome{false, 0ms, "already extended"}};
  decoded = decode_reply(encode_reply(denied));
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->extension.has_value());
  CHECK_FALSE(decoded->extension->allowed);
  CHECK(decoded->extension->granted == 0ms);
  CHECK(decoded->extension->note == "already extended");
}

TEST_CASE("a stored rejection decodes to the same failure with code, message and details") {
  auto rejection = fail(errc::inventory_conflict, "some seats are not available; none were held",
                        {{"seat_ids", "held", "A-1-1"}, {"seat_ids", "sold", "A-1-2"}});
  auto decoded = decode_reply(encode_reply(rejection));
  REQUIRE_FALSE(decoded.has_value());
  CHECK(decoded.error().code == errc::inventory_conflict);
  CHECK(decoded.error().message == rejection.message);
  REQUIRE(decoded.error().details.size() == 2);
  CHECK(decoded.error().details[0].field == "seat_ids");
  CHECK(decoded.error().details[0].reason == "held");
  CHECK(decoded.error().details[0].value == "A-1-1");
  CHECK(decoded.error().details[1].reason == "sold");
  CHECK(decoded.error().details[1].value == "A-1-2");
}

TEST_CASE("the first and the last error codes survive a round trip") {
  for (auto code : {errc::invalid_argument, errc::internal}) {
    auto decoded = decode_reply(encode_reply(fail(code, "x")));
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().code == code);
  }
}

TEST_CASE("bytes that do not parse decode to data_corruption") {
  // Field 1 (reservation), length-delimited, claims 16 bytes but carries 2.
  auto decoded = decode_reply(std::string{"\x0a\x10\x0a\x01", 4});
  REQUIRE_FALSE(decoded.has_value());
  CHECK(decoded.error().code == errc::data_corruption);
}

TEST_CASE("a stored rejection with an unknown error code decodes to data_corruption") {
  for (uint32_t code : {0u, 200u, 100'000u}) {
    tt::internal::v1::StoredReply stored;
    stored.mutable_error()->set_code(code);
    stored.mutable_error()->set_message("from a newer build");
    auto decoded = decode_reply(stored.SerializeAsString());
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().code == errc::data_corruption);
  }
}
