#include "adapters/grpc/payment_service_adapter.hpp"
#include "adapters/grpc/cluster_pages.hpp"
#include "adapters/grpc/page_info.hpp"

#include "adapters/grpc/payment_calls.hpp"
#include "adapters/webhooks/webhook_payloads.hpp"

namespace tt::adapters::rpc {

namespace v1 = payment::v1;

payment_service_adapter::payment_service_adapter(rpc_service& service, call_bridge bridge,
                                                 actors::shard_region region,
                                                 webhooks::webhook_sender& sender,
                                                 peer_fanout* peers)
    : bridge_(bridge), region_(std::move(region)), sender_(sender), peers_(peers) {
  service.bind_unary<v1::CreatePaymentIntentRequest, v1::CreatePaymentIntentResponse>(
      "CreatePaymentIntent", [this](auto call) { create_payment_intent(bridge_, region_, call); });
  service.bind_unary<v1::ProcessPaymentRequest, v1::ProcessPaymentResponse>(
      "ProcessPayment", [this](auto call) { process(std::move(call)); });
  service.bind_unary<v1::GetPaymentStatusRequest, v1::GetPaymentStatusResponse>(
      "GetPaymentStatus", [this](auto call) { get_payment_status(bridge_, region_, call); });
  service.bind_unary<v1::CancelPaymentRequest, v1::CancelPaymentResponse>(
      "CancelPayment", [this](auto call) { cancel(std::move(call)); });
  service.bind_unary<v1::ListPaymentsRequest, v1::ListPaymentsResponse>(
      "ListPayments", [this](auto call) { list(std::move(call)); });
  service.bind_unary<v1::SimulateWebhookRequest, v1::SimulateWebhookResponse>(
      "SimulateWebhook", [this](auto call) { simulate_webhook(std::move(call)); });
}

void payment_service_adapter::simulate_webhook(std::shared_ptr<simulate_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
              .range("target_status", r.target_status(), v1::PAYMENT_STATUS_UNSPECIFIED,
                     v1::PAYMENT_STATUS_EXPIRED)
              .range("delay_seconds", r.delay_seconds(), 0, 300)
              .result()) {
    call->fail(*bad);
    return;
  }
  // The node announces the intent's status: no user to check it against.
  actors::payment_get msg{payment_intent_id{r.payment_intent_id()}, user_id{}};
  bridge_.ask<actors::payment_reply>(
      std::move(call), region_,
      [&sender = sender_](simulate_call& c, const actors::payment_reply& reply) {
        const auto& req = c.request();
        const auto& p = reply.payment;
        auto status = req.target_status() == v1::PAYMENT_STATUS_UNSPECIFIED
                          ? p.status
                          : static_cast<domain::payment_status>(req.target_status());
        if (status != p.status && !req.force_trigger()) {
          c.fail(fail(errc::failed_precondition,
                      "the intent is " + std::string{domain::to_string(p.status)} +
                          "; set force_trigger to announce " +
                          std::string{domain::to_string(status)} + " anyway",
                      {{"target_status", "not the intent's status", ""}}));
          return;
        }
        if (p.webhook_url.empty()) {
          c.fail(fail(errc::failed_precondition, "the intent has no webhook_url",
                      {{"payment_intent_id", "no webhook_url", p.id()}}));
          return;
        }
        auto now = system_clock_source{}.now();
        auto delay = std::chrono::seconds{req.delay_seconds()};
        auto id = "wh-sim-" + p.id() + "-" + std::to_string(to_epoch_ms(now));
        sender.schedule({id, p.webhook_url, sender.signing_secret(),
                         webhooks::payment_webhook_body(id, p, status, now)},
                        delay);
        auto& resp = c.response();
        resp.set_webhook_sent(true);
        resp.set_webhook_id(id);
        set_timestamp(resp.mutable_scheduled_at(), now + delay);
        c.reply();
      },
      std::move(msg));
}

void payment_service_adapter::list(std::shared_ptr<list_call> call) {
  const auto& r = call->request();
  const auto& page = r.pagination();
  auto bad =
      request_check{}
          .required("user_id", r.user_id())
          .optional("reservation_id", r.reservation_id(), max_reservation_id_length)
          .optional("pagination.cursor", page.cursor(), 256)
          .range("pagination.page_size", page.page_size(), 0, actors::max_page_size)
          // Pages are addressed by cursor, as in ListReservations.
          .range("pagination.page", page.page(), 0, 1)
          .range("status", r.status(), v1::PAYMENT_STATUS_UNSPECIFIED, v1::PAYMENT_STATUS_EXPIRED)
          .result();
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::payment_list_query q;
  q.user = user_id{r.user_id()};
  q.status = static_cast<domain::payment_status>(r.status());
  q.reservation = reservation_id{r.reservation_id()};
  q.after = page.cursor();
  q.page_size = page.page_size() == 0 ? 20 : page.page_size();
  // A user's intents live with their events, on every node; a named reservation has one owner.
  auto keep = r.reservation_id().empty() && answers_for_cluster(peers_, *call) ? call : nullptr;
  bridge_.ask<actors::payment_list_answer>(
      std::move(call), region_,
      [this, keep, page_size = q.page_size](list_call& c,
                                            const actors::payment_list_answer& answer) {
        auto& resp = c.response();
        for (const auto& p : answer.items)
          to_proto(p, resp.add_payments());
        fill_page_info(answer, c.request().pagination().cursor(), resp.mutable_page_info());
        if (!keep) {
          c.reply();
          return;
        }
        merge_peer_pages(
            *peers_, keep, "/payment.v1.PaymentService/ListPayments", page_size,
            [](v1::ListPaymentsResponse& r) { return r.mutable_payments(); },
            [](const v1::Payment& item) {
              return position_of(item.created_at(), item.payment_intent_id());
            });
      },
      std::move(q));
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
  actors::payment_process msg{
      payment_intent_id{r.payment_intent_id()},
      {user_id{}, idempotency_key{r.idempotency_key()}, canonical_of(r), call->trace_id()}};
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
  actors::payment_cancel msg{
      payment_intent_id{r.payment_intent_id()},
      {user_id{}, idempotency_key{r.idempotency_key()}, canonical_of(r), call->trace_id()},
      r.reason(),
      r.refund_amount().amount()};
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
