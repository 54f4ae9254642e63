#include "adapters/http/route_support.hpp"

#include <ctime>

#include <fmt/format.h>

namespace tt::adapters::http {

std::string body_fields::text(const char* name) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null())
    return {};
  if (!it->is_string()) {
    wrong(name, "a string");
    return {};
  }
  return it->get<std::string>();
}

int64_t body_fields::integer(const char* name, int64_t fallback) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null())
    return fallback;
  if (!it->is_number_integer()) {
    wrong(name, "an integer");
    return fallback;
  }
  return it->get<int64_t>();
}

std::vector<std::string> body_fields::texts(const char* name) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null())
    return {};
  std::vector<std::string> out;
  if (!it->is_array()) {
    wrong(name, "an array of strings");
    return out;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      wrong(name, "an array of strings");
      return {};
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

void body_fields::require(const char* name, const std::string& value) {
  if (value.empty() && !problem_)
    problem_ = std::string{name} + " is required";
}

void body_fields::wrong(const char* name, const char* expected) {
  if (!problem_)
    problem_ = std::string{name} + " must be " + expected;
}

bool body_fields::check(exchange& x) const {
  if (!problem_)
    return true;
  x.fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, *problem_);
  return false;
}

void answer_busy(exchange& x) {
  x.fail(common::v1::ERROR_CODE_UNAVAILABLE, "the gateway is busy; retry shortly");
}

void hide_others(api_error& e) {
  if (e.code != common::v1::ERROR_CODE_FORBIDDEN)
    return;
  e.code = common::v1::ERROR_CODE_NOT_FOUND;
  e.message = "not found";
}

std::string rfc3339(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0)
    return {};
  std::time_t secs = static_cast<std::time_t>(t.seconds());
  std::tm utc{};
  gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     t.nanos() / 1'000'000);
}

std::string enum_word(const std::string& full_name, const std::string& prefix) {
  return full_name.rfind(prefix, 0) == 0 ? full_name.substr(prefix.size()) : full_name;
}

json seat_json(const common::v1::Seat& s) {
  return {{"seat_id", s.id()},
          {"section", s.section()},
          {"row", s.row()},
          {"number", s.number()},
          {"price", s.price().amount()}};
}

json reservation_json(const reservation::v1::Reservation& r) {
  json seat_ids = json::array(), seats = json::array();
  for (const auto& s : r.seats()) {
    seat_ids.push_back(s.id());
    seats.push_back(seat_json(s));
  }
  return {{"reservation_id", r.reservation_id()},
          {"event_id", r.event_id()},
          {"user_id", r.user_id()},
          {"status",
           enum_word(reservation::v1::ReservationStatus_Name(r.status()), "RESERVATION_STATUS_")},
          {"seat_ids", seat_ids},
          {"seats", seats},
          {"quantity", r.quantity()},
          {"total_amount", r.total_amount().amount()},
          {"currency", r.total_amount().currency()},
          {"created_at", rfc3339(r.created_at())},
          {"updated_at", rfc3339(r.updated_at())},
          {"hold_expires_at", rfc3339(r.hold_expires_at())},
          {"payment_intent_id", r.payment_intent_id()},
          {"order_id", r.order_id()}};
}

json payment_json(const payment::v1::Payment& p) {
  return {{"payment_intent_id", p.payment_intent_id()},
          {"payment_id", p.payment_id()},
          {"reservation_id", p.reservation_id()},
          {"status", enum_word(payment::v1::PaymentStatus_Name(p.status()), "PAYMENT_STATUS_")},
          {"amount", p.amount().amount()},
          {"currency", p.amount().currency()},
          {"scenario", enum_word(payment::v1::PaymentScenario_Name(p.metadata().scenario()),
                                 "PAYMENT_SCENARIO_")},
          {"transaction_id", p.transaction_id()},
          {"failure_reason", p.result().failure_reason()},
          {"created_at", rfc3339(p.created_at())},
          {"updated_at", rfc3339(p.updated_at())}};
}

} // namespace tt::adapters::http
