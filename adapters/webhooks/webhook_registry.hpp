#pragma once
/// The webhook endpoints registered through WebhookService/RegisterWebhook: where to POST which
/// events, and the secret both sides sign with. Kept in the snapshot store (meta,
/// "webhook/<id>"), loaded at start; a registration is acknowledged only once it is durable.
/// Thread-safe: gRPC threads register and look up, the sender's thread reads.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/result.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::webhooks {

/// gateway.v1.WebhookEventType numbers.
enum class webhook_event : int32_t {
  payment_approved = 1,
  payment_failed = 2,
  payment_cancelled = 3,
  reservation_expired = 4,
  system_maintenance = 5,
};

struct registration {
  std::string id;
  std::string service_name;
  std::string endpoint_url;
  std::vector<webhook_event> events;
  std::string secret;
  int32_t retry_count = 5;
  int32_t timeout_seconds = 10;
  timestamp registered_at;
};

class webhook_registry {
 public:
  /// Most registrations a node keeps.
  static constexpr size_t max_registrations = 1000;

  /// Loads what `store` holds (blocking: start-up only); `store` must outlive the registry.
  static result<std::unique_ptr<webhook_registry>> open(storage::snapshot_store* store);

  /// Stores `r` (its id already minted) and calls `done` once it is durable, or with the error.
  void add(registration r, std::function<void(result<registration>)> done);

  std::optional<registration> find(const std::string& id) const;
  /// The newest registration of `service_name` (a webhook's `source`).
  std::optional<registration> by_service(const std::string& service_name) const;
  /// Every registration subscribed to `event`.
  std::vector<registration> subscribed_to(webhook_event event) const;

 private:
  explicit webhook_registry(storage::snapshot_store* store) : store_(store) {}

  storage::snapshot_store* store_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, registration> by_id_;
};

} // namespace tt::adapters::webhooks
