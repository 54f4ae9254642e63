#pragma once
/// payment.v1.PaymentService (simulated payments). Actor entry point: the shard region, which
/// routes a new intent by its reservation's event and every other call by the event its payment
/// intent id carries, to the event actor that runs the intent's actor (ListPayments: every event
/// of the cluster, or the one of the named reservation). SimulateWebhook (re)sends the intent's
/// signed webhook to its webhook_url through the webhook sender.

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/peer_fanout.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "adapters/webhooks/webhook_sender.hpp"
#include "proto/payment/v1/payment.pb.h"

namespace tt::adapters::rpc {

class payment_service_adapter {
 public:
  /// `sender` must outlive the adapter. `peers` (null on a single node) make ListPayments
  /// without a reservation the whole cluster's.
  payment_service_adapter(rpc_service& service, call_bridge bridge, actors::shard_region region,
                          webhooks::webhook_sender& sender, peer_fanout* peers = nullptr);

 private:
  using create_call =
      unary_call<payment::v1::CreatePaymentIntentRequest, payment::v1::CreatePaymentIntentResponse>;
  using process_call =
      unary_call<payment::v1::ProcessPaymentRequest, payment::v1::ProcessPaymentResponse>;
  using cancel_call =
      unary_call<payment::v1::CancelPaymentRequest, payment::v1::CancelPaymentResponse>;
  using list_call = unary_call<payment::v1::ListPaymentsRequest, payment::v1::ListPaymentsResponse>;
  using simulate_call =
      unary_call<payment::v1::SimulateWebhookRequest, payment::v1::SimulateWebhookResponse>;

  void process(std::shared_ptr<process_call> call);
  void cancel(std::shared_ptr<cancel_call> call);
  void list(std::shared_ptr<list_call> call);
  void simulate_webhook(std::shared_ptr<simulate_call> call);

  call_bridge bridge_;
  actors::shard_region region_;
  webhooks::webhook_sender& sender_;
  peer_fanout* peers_; // not owned; null on a node on its own
};

} // namespace tt::adapters::rpc
