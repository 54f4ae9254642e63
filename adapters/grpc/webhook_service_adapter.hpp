#pragma once
/// gateway.v1.WebhookService: incoming webhooks, verified and fed into the worker's path.
/// ReceivePaymentWebhook and ReceiveExpiryWebhook check the signature first (HMAC-SHA256, constant
/// time; the secret of the endpoint registered under `source`, else webhook.signing_secret), then
/// the timestamp (more than 300 s away: stale), then the webhook id (seen before: a replay, found
/// by the worker's event-id window). What passes becomes the same worker job a Kafka event would:
/// payment_result / hold_expiry, which read the actors' own state (a valid webhook can only ask
/// for what the state allows). Signed bytes: the request itself, deterministically serialized,
/// with its signature left out (README, "Webhooks"). RegisterWebhook stores an endpoint
/// durably; ValidateWebhook checks a payload against a registered endpoint's secret.

#include <memory>
#include <string>

#include "actors/runtime/worker_actor.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "adapters/webhooks/webhook_registry.hpp"
#include "proto/gateway/v1/webhook.pb.h"

namespace tt::adapters::rpc {

class webhook_service_adapter {
 public:
  /// `registry` must outlive the adapter.
  webhook_service_adapter(rpc_service& service, call_bridge bridge, actors::worker_actor worker,
                          webhooks::webhook_registry& registry, std::string signing_secret);

 private:
  using payment_call = unary_call<gateway::v1::ReceivePaymentWebhookRequest,
                                  gateway::v1::ReceivePaymentWebhookResponse>;
  using expiry_call = unary_call<gateway::v1::ReceiveExpiryWebhookRequest,
                                 gateway::v1::ReceiveExpiryWebhookResponse>;
  using register_call =
      unary_call<gateway::v1::RegisterWebhookRequest, gateway::v1::RegisterWebhookResponse>;
  using validate_call =
      unary_call<gateway::v1::ValidateWebhookRequest, gateway::v1::ValidateWebhookResponse>;

  void receive_payment(std::shared_ptr<payment_call> call);
  void receive_expiry(std::shared_ptr<expiry_call> call);
  void register_webhook(std::shared_ptr<register_call> call);
  void validate(std::shared_ptr<validate_call> call);
  /// The secret webhooks from `source` are signed with.
  std::string secret_of(const std::string& source) const;

  call_bridge bridge_;
  actors::worker_actor worker_;
  webhooks::webhook_registry& registry_;
  std::string signing_secret_;
};

} // namespace tt::adapters::rpc
