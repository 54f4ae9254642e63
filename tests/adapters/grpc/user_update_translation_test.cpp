// The hub's pushes as stream responses: the contract's event types where it has one (EXPIRING_SOON
// included), UNSPECIFIED plus the true new_status where it has none, and a SendMessage message as
// EVENT_TYPE_MESSAGE whose JSON survives bytes that are not UTF-8.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/grpc/user_update_translation.hpp"

namespace v1 = ::gateway::v1;
using tt::adapters::rpc::message_json;
using tt::adapters::rpc::to_proto;
using rs = tt::domain::reservation_status;

namespace {

v1::StreamReservationUpdatesResponse of(rs from, rs to, tt::actors::reservation_change change) {
  tt::actors::reservation_update u;
  u.reservation = tt::reservation_id{"r-1"};
  u.old_status = from;
  u.new_status = to;
  u.change = change;
  v1::StreamReservationUpdatesResponse out;
  to_proto(u, out);
  return out;
}

} // namespace

TEST_CASE("reservation updates use the contract's event types") {
  using c = tt::actors::reservation_change;
  auto created = of(rs::unspecified, rs::hold, c::status);
  CHECK(created.type() == v1::EVENT_TYPE_RESERVATION_UPDATE);
  CHECK(created.reservation_update().event_type() == v1::RESERVATION_EVENT_TYPE_CREATED);
  CHECK(created.reservation_update().new_status() == ::reservation::v1::RESERVATION_STATUS_HOLD);
  CHECK(created.reservation_update().has_hold_expires_at());
  CHECK(of(rs::hold, rs::hold, c::expiring_soon).reservation_update().event_type() ==
        v1::RESERVATION_EVENT_TYPE_EXPIRING_SOON);
  CHECK(of(rs::hold, rs::expired, c::status).reservation_update().event_type() ==
        v1::RESERVATION_EVENT_TYPE_EXPIRED);
  auto failed = of(rs::hold, rs::failed, c::status).reservation_update();
  CHECK(failed.event_type() == v1::RESERVATION_EVENT_TYPE_UNSPECIFIED);
  CHECK(failed.new_status() == ::reservation::v1::RESERVATION_STATUS_FAILED);
  CHECK_FALSE(failed.has_hold_expires_at());
}

TEST_CASE("a message is EVENT_TYPE_MESSAGE, its id the correlation id, its body JSON") {
  tt::actors::user_message m;
  m.message_id = "m-1";
  m.type = v1::MESSAGE_TYPE_WARNING;
  m.priority = v1::MESSAGE_PRIORITY_HIGH;
  m.title = "Heads up";
  m.content = std::string{"bad \xff byte"};
  m.data = {{"k", "v"}};
  v1::StreamPaymentUpdatesResponse out;
  to_proto(m, out);
  CHECK(out.type() == v1::EVENT_TYPE_MESSAGE);
  CHECK(out.correlation_id() == "m-1");
  auto j = nlohmann::json::parse(out.payment_update().message());
  CHECK(j["message_id"] == "m-1");
  CHECK(j["type"] == "MESSAGE_TYPE_WARNING");
  CHECK(j["priority"] == "MESSAGE_PRIORITY_HIGH");
  CHECK(j["data"]["k"] == "v");
  CHECK(j["content"].get<std::string>().rfind("bad ", 0) == 0);
  CHECK(message_json(m) == out.payment_update().message());
}
