#include "adapters/webhooks/webhook_payloads.hpp"

#include <nlohmann/json.hpp>

namespace tt::adapters::webhooks {

namespace {

int64_t unix_seconds(timestamp t) {
  return to_epoch_ms(t) / 1000;
}

std::string upper(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::optional<webhook_event> webhook_event_of(domain::payment_status status) noexcept {
  switch (status) {
    case domain::payment_status::completed:
      return webhook_event::payment_approved;
    case domain::payment_status::failed:
    case domain::payment_status::expired:
      return webhook_event::payment_failed;
    case domain::payment_status::cancelled:
    case domain::payment_status::refunded:
      return webhook_event::payment_cancelled;
    default:
      return std::nullopt;
  }
}

std::string payment_webhook_body(const std::string& webhook_id, const domain::payment_state& p,
                                 domain::payment_status status, timestamp at) {
  nlohmann::json body = {
      {"webhook_id", webhook_id},
      {"type", "payment." + std::string{domain::to_string(status)}},
      {"created_at", unix_seconds(at)},
      {"data",
       {{"payment_intent_id", p.id()},
        {"reservation_id", p.reservation()},
        {"status", upper(domain::to_string(status))},
        {"amount", {{"amount", p.amount.amount}, {"currency", p.amount.currency}}},
        {"transaction_id", p.transaction_id},
        {"failure_reason", p.failure_reason},
        {"refunded_amount", p.refunded_amount}}},
  };
  return body.dump();
}

std::string expiry_webhook_body(const std::string& webhook_id, const domain::reservation_state& r,
                                timestamp at) {
  nlohmann::json seats = nlohmann::json::array();
  for (const auto& s : r.seats)
    seats.push_back(s());
  nlohmann::json body = {
      {"webhook_id", webhook_id},
      {"type", "reservation.expired"},
      {"created_at", unix_seconds(at)},
      {"data",
       {{"reservation_id", r.id()},
        {"event_id", r.event()},
        {"user_id", r.owner()},
        {"seat_ids", seats},
        {"expired_at", unix_seconds(r.updated_at)}}},
  };
  return body.dump();
}

} // namespace tt::adapters::webhooks
