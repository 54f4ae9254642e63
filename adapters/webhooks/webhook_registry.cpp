#include "adapters/webhooks/webhook_registry.hpp"

#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_records.hpp"
#include "proto/tt/internal/v1/snapshots.pb.h"
#include "proto/tt/internal/v1/webhooks.pb.h"

namespace tt::adapters::webhooks {

namespace {

namespace pb = tt::internal::v1;

constexpr std::string_view key_prefix = "webhook/";

std::string encode(const registration& r) {
  pb::WebhookRegistration rec;
  rec.set_id(r.id);
  rec.set_service_name(r.service_name);
  rec.set_endpoint_url(r.endpoint_url);
  for (auto e : r.events)
    rec.add_event_types(static_cast<int32_t>(e));
  rec.set_secret(r.secret);
  rec.set_retry_count(r.retry_count);
  rec.set_timeout_seconds(r.timeout_seconds);
  rec.set_registered_at_ms(to_epoch_ms(r.registered_at));
  pb::SnapshotEnvelope env;
  env.set_format_version(actors::snapshot_format_version);
  env.set_entity_type("webhook");
  env.mutable_state()->PackFrom(rec);
  return env.SerializeAsString();
}

std::optional<registration> decode(std::string_view bytes) {
  pb::SnapshotEnvelope env;
  pb::WebhookRegistration rec;
  if (!env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      env.format_version() > actors::snapshot_format_version || !env.state().UnpackTo(&rec))
    return std::nullopt;
  registration r{rec.id(),
                 rec.service_name(),
                 rec.endpoint_url(),
                 {},
                 rec.secret(),
                 rec.retry_count(),
                 rec.timeout_seconds(),
                 from_epoch_ms(rec.registered_at_ms())};
  for (auto e : rec.event_types())
    r.events.push_back(static_cast<webhook_event>(e));
  return r;
}

} // namespace

result<std::unique_ptr<webhook_registry>> webhook_registry::open(storage::snapshot_store* store) {
  std::unique_ptr<webhook_registry> out{new webhook_registry{store}};
  if (store == nullptr)
    return out;
  std::optional<failure> bad;
  auto err = store->scan(
      storage::entity_kind::meta, key_prefix, [&](std::string_view key, std::string_view value) {
        auto r = decode(value);
        if (!r) {
          bad =
              fail(errc::data_corruption, "stored webhook " + std::string{key} + " does not parse");
          return false;
        }
        out->by_id_.emplace(r->id, std::move(*r));
        return true;
      });
  if (err)
    return actors::storage_failure(*err);
  if (bad)
    return *bad;
  return out;
}

void webhook_registry::add(registration r, std::function<void(result<registration>)> done) {
  {
    std::lock_guard lock{mutex_};
    if (by_id_.size() >= max_registrations) {
      done(fail(errc::quota_exceeded,
                "at most " + std::to_string(max_registrations) + " webhooks can be registered"));
      return;
    }
  }
  if (store_ == nullptr) {
    std::lock_guard lock{mutex_};
    by_id_[r.id] = r;
    done(r);
    return;
  }
  auto key = std::string{key_prefix} + r.id;
  auto value = encode(r);
  store_->commit({{storage::entity_kind::meta, std::move(key), std::move(value), std::nullopt}},
                 [this, r = std::move(r),
                  done = std::move(done)](std::optional<storage::storage_error> err) mutable {
                   if (err) {
                     done(actors::storage_failure(*err));
                     return;
                   }
                   {
                     std::lock_guard lock{mutex_};
                     by_id_[r.id] = r;
                   }
                   done(std::move(r));
                 });
}

std::optional<registration> webhook_registry::find(const std::string& id) const {
  std::lock_guard lock{mutex_};
  auto it = by_id_.find(id);
  if (it == by_id_.end())
    return std::nullopt;
  return it->second;
}

std::optional<registration> webhook_registry::by_service(const std::string& service_name) const {
  std::lock_guard lock{mutex_};
  const registration* newest = nullptr;
  for (const auto& [id, r] : by_id_)
    if (r.service_name == service_name && (!newest || r.registered_at > newest->registered_at))
      newest = &r;
  if (newest == nullptr)
    return std::nullopt;
  return *newest;
}

std::vector<registration> webhook_registry::subscribed_to(webhook_event event) const {
  std::lock_guard lock{mutex_};
  std::vector<registration> out;
  for (const auto& [id, r] : by_id_)
    for (auto e : r.events)
      if (e == event) {
        out.push_back(r);
        break;
      }
  return out;
}

} // namespace tt::adapters::webhooks
