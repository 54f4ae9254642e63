#pragma once
/// The messages of the payment path (PaymentService): what the adapters ask the shard region,
/// which routes by the reservation's event (a new intent) or by the event a minted payment intent
/// id carries, to the event's actor, which runs one payment_actor per intent. Local to a node,
/// like the reservation path's messages (see event_protocol.hpp).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "actors/domain/payment.hpp"
#include "actors/runtime/event_protocol.hpp"

namespace tt::actors {

/// CreatePaymentIntent.
struct payment_create_request {
  reservation_id reservation;
  write_scope scope;
  domain::money amount;
  int32_t method = 0;
  domain::payment_scenario scenario = domain::payment_scenario::approve;
  std::string webhook_url;
};

/// The commands on an existing payment intent, one message per verb. ProcessPayment and
/// CancelPayment name no user: their `scope.user` is empty from the adapters, and the event actor
/// fills in the intent's owner, whose idempotency keys they share.

/// GetPaymentStatus, answered only to the intent's owner; an empty `requester` is the node
/// itself (SimulateWebhook announces an intent's status without naming a user).
struct payment_get {
  payment_intent_id id;
  user_id requester;
};
/// ProcessPayment: starts processing, to settle by the intent's scenario.
struct payment_process {
  payment_intent_id id;
  write_scope scope;
};
/// CancelPayment: cancels an open intent, or refunds a completed one (`refund_amount` 0 refunds
/// all); also the event's refund of an approval that came after the hold ended.
struct payment_cancel {
  payment_intent_id id;
  write_scope scope;
  std::string reason;
  int64_t refund_amount = 0;
};

/// The write scope of a payment verb, for its idempotency record; null for a read (the writes
/// take event_protocol.hpp's template).
inline const write_scope* write_scope_of(const payment_get&) {
  return nullptr;
}

/// The changes a payment intent's actor runs one at a time.
using payment_write = std::variant<payment_process, payment_cancel>;

struct payment_reply {
  domain::payment_state payment;
};

/// ListPayments: one user's payment intents, newest first, optionally filtered.
struct payment_list_query {
  user_id user;
  domain::payment_status status = domain::payment_status::unspecified; // any
  reservation_id reservation;                                          // any if empty
  std::string after; // cursor of the previous page; empty for the first
  int32_t page_size = 20;
};
struct payment_list_answer {
  std::vector<domain::payment_state> items;
  int32_t total = 0;
  std::string next;
};

/// From a payment actor to its event actor after every stored change: the event keeps the read
/// model (confirmation looks payments up there) and settles the reservation accordingly.
struct payment_changed {
  domain::payment_state state;
};

} // namespace tt::actors
