#pragma once
/// The JSON bodies of our outgoing webhooks:
///   {"webhook_id": ..., "type": "payment.completed", "created_at": <unix s>, "data": {...}}
/// with data = the intent (payment_intent_id, reservation_id, status, amount {amount, currency},
/// transaction_id, failure_reason, refunded_amount) or, for "reservation.expired", the
/// reservation (reservation_id, event_id, user_id, seat_ids, expired_at).

#include <optional>
#include <string>

#include "actors/domain/payment.hpp"
#include "actors/domain/reservation.hpp"
#include "adapters/webhooks/webhook_registry.hpp"

namespace tt::adapters::webhooks {

/// The registrable event a payment status is announced as; none for statuses not yet settled.
std::optional<webhook_event> webhook_event_of(domain::payment_status status) noexcept;

/// `status` is what the body announces (SimulateWebhook may force another than p.status).
std::string payment_webhook_body(const std::string& webhook_id, const domain::payment_state& p,
                                 domain::payment_status status, timestamp at);

std::string expiry_webhook_body(const std::string& webhook_id, const domain::reservation_state& r,
                                timestamp at);

} // namespace tt::adapters::webhooks
