#pragma once
/// The payment RPCs that payment.v1.PaymentService and gateway.v1.GatewayService share (the
/// gateway's messages mirror payment.v1's field for field, hence templates over the message
/// type), and the translation of a payment intent into the contract's Payment.

#include <optional>
#include <string>

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"
#include "proto/payment/v1/payment.pb.h"

namespace tt::adapters::rpc {

/// Client secrets are derived, not stored: they only have to be unguessable per intent, and the
/// intent id already is (ULID entropy); the suffix tells a secret from an id.
inline std::string client_secret_of(const domain::payment_state& p) {
  return p.id() + "_secret";
}

inline void to_proto(const domain::payment_state& p, payment::v1::Payment* out) {
  namespace v1 = payment::v1;
  out->set_payment_intent_id(p.id());
  out->set_payment_id(p.payment_id);
  out->set_reservation_id(p.reservation());
  out->set_user_id(p.owner());
  out->set_status(static_cast<v1::PaymentStatus>(p.status));
  rpc::to_proto(p.amount, out->mutable_amount());
  out->set_method(static_cast<v1::PaymentMethod>(p.method));
  set_timestamp(out->mutable_created_at(), p.created_at);
  set_timestamp(out->mutable_updated_at(), p.updated_at);
  if (!p.payment_id.empty())
    set_timestamp(out->mutable_processed_at(), p.processed_at);
  out->set_transaction_id(p.transaction_id);
  if (domain::is_final(p.status)) {
    auto* result = out->mutable_result();
    bool paid = p.status == domain::payment_status::completed ||
                p.status == domain::payment_status::refunded;
    result->set_success(paid);
    result->set_failure_reason(p.failure_reason);
    result->set_response_code(paid ? 200 : 402);
    set_timestamp(result->mutable_processed_at(), p.updated_at);
  }
  out->mutable_metadata()->set_scenario(static_cast<v1::PaymentScenario>(p.scenario));
}

inline std::optional<failure> check_money(const std::string& field, const common::v1::Money& m) {
  if (m.amount() <= 0)
    return fail(errc::invalid_argument, field + ".amount must be positive",
                {{field + ".amount", "must be positive", std::to_string(m.amount())}});
  if (m.currency().empty() || m.currency().size() > 8)
    return fail(errc::invalid_argument, field + ".currency is required (ISO 4217)",
                {{field + ".currency", "required", m.currency().substr(0, 16)}});
  return std::nullopt;
}

/// CreatePaymentIntent of payment.v1 or gateway.v1 (the gateway's messages mirror payment.v1's).
template <class Request, class Response>
void create_payment_intent(const call_bridge& bridge, const actors::shard_region& region,
                           std::shared_ptr<unary_call<Request, Response>> call) {
  namespace v1 = payment::v1;
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                 .required("user_id", r.user_id())
                 .optional("webhook_url", r.webhook_url(), max_text_length)
                 .range("method", r.method(), v1::PAYMENT_METHOD_UNSPECIFIED,
                        v1::PAYMENT_METHOD_DIGITAL_WALLET)
                 .range("scenario", r.scenario(), v1::PAYMENT_SCENARIO_UNSPECIFIED,
                        v1::PAYMENT_SCENARIO_TIMEOUT)
                 .key(r.idempotency_key())
                 .result();
  if (!bad)
    bad = check_money("amount", r.amount());
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::payment_create_request msg;
  msg.reservation = reservation_id{r.reservation_id()};
  msg.scope = {user_id{r.user_id()}, idempotency_key{r.idempotency_key()}, canonical_of(r),
               call->trace_id()};
  msg.amount = {r.amount().amount(), r.amount().currency()};
  msg.method = r.method();
  msg.scenario = static_cast<domain::payment_scenario>(r.scenario());
  msg.webhook_url = r.webhook_url();
  bridge.ask<actors::payment_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::payment_reply& reply) {
        const auto& p = reply.payment;
        auto& resp = c.response();
        resp.set_payment_intent_id(p.id());
        resp.set_status(static_cast<v1::PaymentStatus>(p.status));
        resp.set_client_secret(client_secret_of(p));
        resp.set_payment_url("/payments/" + p.id());
        set_timestamp(resp.mutable_expires_at(), p.expires_at);
        c.reply();
      },
      std::move(msg));
}

/// GetPaymentStatus of payment.v1 or gateway.v1.
template <class Request, class Response>
void get_payment_status(const call_bridge& bridge, const actors::shard_region& region,
                        std::shared_ptr<unary_call<Request, Response>> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
              .required("user_id", r.user_id())
              .result()) {
    call->fail(*bad);
    return;
  }
  actors::payment_get msg{payment_intent_id{r.payment_intent_id()}, user_id{r.user_id()}};
  bridge.ask<actors::payment_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::payment_reply& reply) {
        to_proto(reply.payment, c.response().mutable_payment());
        c.reply();
      },
      std::move(msg));
}

} // namespace tt::adapters::rpc
