#pragma once
/// The messages of the payment path (PaymentService): what the adapters ask the shard region,
/// which routes by the reservation's event (a new intent) or by the event a minted payment intent
/// id carries, to the event's actor, which runs one payment_actor per intent. Local to a node,
/// like the reservation path's messages (see event_protocol.hpp).

#include <cstdint>
#include <string>
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

enum class payment_action : uint8_t { get, process, cancel };

/// ProcessPayment, GetPaymentStatus, CancelPayment. `scope.user` is empty where the contract's
/// request names no user (ProcessPayment and CancelPayment act for the intent's owner).
struct payment_request {
  payment_intent_id id;
  payment_action action = payment_action::get;
  write_scope scope;
  std::string reason;
  int64_t refund_amount = 0; // cancel of a completed payment: 0 refunds all
};

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
