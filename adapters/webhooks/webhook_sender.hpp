#pragma once
/// Outgoing webhooks: a consumer group of its own ("<kafka.group_id>-webhooks") reads the payment
/// and lifecycle topics and POSTs each settled payment to its intent's webhook_url (signed with
/// the node's webhook.signing_secret) and each subscribed event to the endpoints registered for
/// it (signed with their own secret). Headers: X-TT-Webhook-Id (stable per event and endpoint,
/// so receivers can drop redeliveries), X-TT-Signature "t=<unix s>,v1=<hex>" (see
/// webhook_signature.hpp). A failed POST (network error, timeout, non-2xx) is retried with
/// doubling backoff up to the endpoint's retry count, then given up and counted; a record's offset
/// is committed once all its webhooks are delivered or given up, so a crash delivers again rather
/// than never. Deliveries run on a small pool, so one slow endpoint does not hold up the others.

#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "actors/common/result.hpp"
#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/webhooks/webhook_registry.hpp"

namespace tt::adapters::webhooks {

struct outgoing_webhook {
  std::string id;
  std::string url;
  std::string secret;
  /// The JSON body, signed as is.
  std::string body;
  int max_attempts = 5;
  std::chrono::seconds timeout{10};
};

struct sender_stats {
  int64_t delivered = 0;
  int64_t attempts_failed = 0;
  int64_t given_up = 0;
  int64_t pending = 0;
};

class webhook_sender {
 public:
  /// `registry` must outlive the sender.
  static std::variant<std::unique_ptr<webhook_sender>, std::string>
  start(const kafka::kafka_settings& settings, std::string signing_secret,
        const webhook_registry& registry);

  webhook_sender(const webhook_sender&) = delete;
  webhook_sender& operator=(const webhook_sender&) = delete;
  ~webhook_sender();

  /// Sends `w` after `delay`, outside the topics (SimulateWebhook); not retried across restarts.
  void schedule(outgoing_webhook w, std::chrono::milliseconds delay);

  const std::string& signing_secret() const noexcept;
  sender_stats stats() const;

  /// RESTART_SERVICE "webhook-sender": the consumer commits what is delivered or given up,
  /// leaves its group and joins it again with a new client. Pending deliveries stay queued with
  /// their attempts (the delivery pool keeps running), and a record re-read while its webhooks
  /// are still pending is not queued twice. What was restarted, or why the new client could not
  /// start (nothing new is read then until the next restart). Called from one thread at a time.
  result<std::string> restart();

 private:
  struct impl;
  explicit webhook_sender(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

} // namespace tt::adapters::webhooks
