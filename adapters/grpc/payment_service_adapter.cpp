#include "adapters/grpc/payment_service_adapter.hpp"

#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = payment::v1;

namespace {

/// Client secrets are derived, not stored: they only have to be unguessable per intent, and the
/// intent id already is (ULID entropy); the suffix tells a secret from an id.
std::string client_secret_of(const domain::payment_state& p) {
  return p.id() + "_secret";
}

void to_proto(const domain::payment_state& p, v1::Payment* out) {
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

std::optional<failure> check_money(const std::string& field, const common::v1::Money& m) {
  if (m.amount() <= 0)
    return fail(errc::invalid_argument, field + ".amount must be positive",
                {{field + ".amount", "must be positive", std::to_string(m.amount())}});
  if (m.currency().empty() || m.currency().size() > 8)
    return fail(errc::invalid_argument, field + ".currency is required (ISO 4217)",
                {{field + ".currency", "required", m.currency().substr(0, 16)}});
  return std::nullopt;
}

} // namespace

payment_service_adapter::payment_service_adapter(rpc_service& service, call_bridge bridge,
                                                 actors::shard_region region)
    : bridge_(bridge), region_(std::move(region)) {
  service.bind_unary<v1::CreatePaymentIntentRequest, v1::CreatePaymentIntentResponse>(
      "CreatePaymentIntent", [this](auto call) { create_intent(std::move(call)); });
  service.bind_unary<v1::ProcessPaymentRequest, v1::ProcessPaymentResponse>(
      "ProcessPayment", [this](auto call) { process(std::move(call)); });
  service.bind_unary<v1::GetPaymentStatusRequest, v1::GetPaymentStatusResponse>(
      "GetPaymentStatus", [this](auto call) { status(std::move(call)); });
  service.bind_unary<v1::CancelPaymentRequest, v1::CancelPaymentResponse>(
      "CancelPayment", [this](auto call) { cancel(std::move(call)); });
}

void payment_service_adapter::create_intent(std::shared_ptr<create_call> call) {
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
  msg.scope = {user_id{r.user_id()}, idempotency_key{r.idempotency_key()}, canonical_of(r)};
  msg.amount = {r.amount().amount(), r.amount().currency()};
  msg.method = r.method();
  msg.scenario = static_cast<domain::payment_scenario>(r.scenario());
  bridge_.ask<actors::payment_reply>(
      std::move(call), region_,
      [](create_call& c, const actors::payment_reply& reply) {
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

void payment_service_adapter::process(std::shared_ptr<process_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
              .key(r.idempotency_key())
              .result()) {
    call->fail(*bad);
    return;
  }
  // Card numbers and the like are simulated: they are neither checked nor kept.
  actors::payment_request msg;
  msg.id = payment_intent_id{r.payment_intent_id()};
  msg.action = actors::payment_action::process;
  msg.scope = {user_id{}, idempotency_key{r.idempotency_key()}, canonical_of(r)};
  bridge_.ask<actors::payment_reply>(
      std::move(call), region_,
      [](process_call& c, const actors::payment_reply& reply) {
        const auto& p = reply.payment;
        auto& resp = c.response();
        resp.set_payment_id(p.payment_id);
        resp.set_status(static_cast<v1::PaymentStatus>(p.status));
        set_timestamp(resp.mutable_processed_at(), p.processed_at);
        resp.set_transaction_id(p.transaction_id);
        v1::Payment full;
        to_proto(p, &full);
        if (full.has_result())
          *resp.mutable_result() = full.result();
        c.reply();
      },
      std::move(msg));
}

void payment_service_adapter::status(std::shared_ptr<status_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
              .required("user_id", r.user_id())
              .result()) {
    call->fail(*bad);
    return;
  }
  actors::payment_request msg;
  msg.id = payment_intent_id{r.payment_intent_id()};
  msg.action = actors::payment_action::get;
  msg.scope.user = user_id{r.user_id()};
  bridge_.ask<actors::payment_reply>(
      std::move(call), region_,
      [](status_call& c, const actors::payment_reply& reply) {
        to_proto(reply.payment, c.response().mutable_payment());
        c.reply();
      },
      std::move(msg));
}

void payment_service_adapter::cancel(std::shared_ptr<cancel_call> call) {
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
                 .optional("reason", r.reason(), max_text_length)
                 .key(r.idempotency_key())
                 .result();
  if (!bad && r.has_refund_amount() && r.refund_amount().amount() != 0)
    bad = check_money("refund_amount", r.refund_amount());
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::payment_request msg;
  msg.id = payment_intent_id{r.payment_intent_id()};
  msg.action = actors::payment_action::cancel;
  msg.scope = {user_id{}, idempotency_key{r.idempotency_key()}, canonical_of(r)};
  msg.reason = r.reason();
  msg.refund_amount = r.refund_amount().amount();
  bridge_.ask<actors::payment_reply>(
      std::move(call), region_,
      [](cancel_call& c, const actors::payment_reply& reply) {
        const auto& p = reply.payment;
        auto& resp = c.response();
        resp.set_status(static_cast<v1::PaymentStatus>(p.status));
        set_timestamp(resp.mutable_cancelled_at(), p.updated_at);
        if (p.status == domain::payment_status::refunded) {
          rpc::to_proto(domain::money{p.refunded_amount, p.amount.currency},
                        resp.mutable_refunded_amount());
          resp.set_refund_id(p.refund_id);
        }
        c.reply();
      },
      std::move(msg));
}

} // namespace tt::adapters::rpc
