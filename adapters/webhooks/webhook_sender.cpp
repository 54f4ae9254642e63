#include "adapters/webhooks/webhook_sender.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "actors/common/overloaded.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "adapters/kafka/group_consumer.hpp"
#include "adapters/webhooks/webhook_payloads.hpp"
#include "adapters/webhooks/webhook_signature.hpp"

namespace tt::adapters::webhooks {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int delivery_threads = 4;
constexpr auto commit_interval = std::chrono::milliseconds{500};

/// scheme://host[:port] and the path of an http(s) URL.
std::optional<std::pair<std::string, std::string>> split_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return std::nullopt;
  auto path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos)
    return std::make_pair(url, std::string{"/"});
  return std::make_pair(url.substr(0, path_start), url.substr(path_start));
}

/// One POST; empty on a 2xx answer, else why not.
std::string post(const outgoing_webhook& w) {
  auto parts = split_url(w.url);
  if (!parts)
    return "not an http(s) URL";
  httplib::Client client{parts->first};
  client.set_connection_timeout(w.timeout);
  client.set_read_timeout(w.timeout);
  client.set_write_timeout(w.timeout);
  auto unix_now = to_epoch_ms(system_clock_source{}.now()) / 1000;
  httplib::Headers headers{{"X-TT-Webhook-Id", w.id},
                           {"X-TT-Signature", signature_header(w.secret, unix_now, w.body)}};
  auto res = client.Post(parts->second, headers, w.body, "application/json");
  if (!res)
    return httplib::to_string(res.error());
  if (res->status < 200 || res->status >= 300)
    return "HTTP " + std::to_string(res->status);
  return {};
}

} // namespace

struct webhook_sender::impl {
  struct delivery {
    outgoing_webhook webhook;
    int attempt = 0;
    uint64_t ticket = 0; // the consumed record it belongs to; 0 for scheduled ones
  };

  kafka::kafka_settings settings;
  std::string secret;
  const webhook_registry& registry;
  kafka::client_handle consumer; // empty after a restart whose new client failed
  std::atomic<bool> stopping{false};
  std::atomic<bool> consumer_stopping{false}; // a restart: the consumer thread only
  std::thread consumer_thread;
  std::vector<std::thread> senders;

  std::mutex mutex;
  std::condition_variable wake;
  std::multimap<clock_type::time_point, delivery> queue;
  std::vector<uint64_t> done_tickets; // records whose webhooks all ended (consumer drains)
  std::unordered_map<uint64_t, int> open_per_ticket;

  // consumer thread only
  kafka::offset_tracker offsets;
  std::unordered_map<uint64_t, std::pair<kafka::partition_key, int64_t>> records;
  uint64_t last_ticket = 0;

  std::atomic<int64_t> delivered{0}, failed{0}, given_up{0};

  impl(kafka::kafka_settings s, std::string sec, const webhook_registry& r)
      : settings(std::move(s)), secret(std::move(sec)), registry(r) {}

  void enqueue(delivery d, clock_type::time_point when) {
    std::lock_guard lock{mutex};
    queue.emplace(when, std::move(d));
    wake.notify_one();
  }

  void ended(uint64_t ticket) {
    if (ticket == 0)
      return;
    std::lock_guard lock{mutex};
    if (--open_per_ticket[ticket] == 0) {
      open_per_ticket.erase(ticket);
      done_tickets.push_back(ticket);
    }
  }

  void send_loop() {
    while (true) {
      delivery d;
      {
        std::unique_lock lock{mutex};
        while (!stopping && (queue.empty() || queue.begin()->first > clock_type::now())) {
          if (queue.empty())
            wake.wait(lock);
          else
            wake.wait_until(lock, queue.begin()->first);
        }
        if (stopping)
          return;
        d = std::move(queue.begin()->second);
        queue.erase(queue.begin());
      }
      auto why = post(d.webhook);
      if (why.empty()) {
        delivered += 1;
        ended(d.ticket);
        continue;
      }
      failed += 1;
      d.attempt += 1;
      if (d.attempt >= d.webhook.max_attempts) {
        given_up += 1;
        spdlog::error("webhook {} to {}: given up after {} attempts: {}", d.webhook.id,
                      d.webhook.url, d.attempt, why);
        ended(d.ticket);
        continue;
      }
      auto backoff = settings.retry_backoff * (1 << std::min(d.attempt, 10)) * 5;
      spdlog::warn("webhook {} to {}: {}; attempt {} in {} ms", d.webhook.id, d.webhook.url, why,
                   d.attempt + 1, backoff.count());
      enqueue(std::move(d), clock_type::now() + backoff);
    }
  }

  /// The webhooks one event asks for: the intent's own, and every subscribed endpoint's.
  std::vector<outgoing_webhook> webhooks_of(const actors::decoded_event& e) const {
    std::vector<outgoing_webhook> out;
    auto now = system_clock_source{}.now();
    auto add_subscribers = [&](webhook_event kind, auto body_of) {
      for (const auto& r : registry.subscribed_to(kind)) {
        auto id = "wh-" + e.event_id + "-" + r.id;
        out.push_back({id, r.endpoint_url, r.secret, body_of(id), std::max(1, r.retry_count + 1),
                       std::chrono::seconds{std::max(1, r.timeout_seconds)}});
      }
    };
    std::visit(overloaded{
                   [&](const domain::payment_state& p) {
                     auto kind = webhook_event_of(p.status);
                     if (!kind)
                       return;
                     if (!p.webhook_url.empty()) {
                       auto id = "wh-" + e.event_id;
                       out.push_back(
                           {id, p.webhook_url, secret, payment_webhook_body(id, p, p.status, now)});
                     }
                     add_subscribers(*kind, [&](const std::string& id) {
                       return payment_webhook_body(id, p, p.status, now);
                     });
                   },
                   [&](const domain::reservation_state& r) {
                     if (r.status == domain::reservation_status::expired)
                       add_subscribers(
                           webhook_event::reservation_expired,
                           [&](const std::string& id) { return expiry_webhook_body(id, r, now); });
                   },
                   [](const actors::hold_expiry_notice&) {},
               },
               e.body);
    return out;
  }

  void take(const rd_kafka_message_t* m) {
    if (m->err)
      return;
    kafka::partition_key where{rd_kafka_topic_name(m->rkt), m->partition};
    // Read again after a restart: its webhooks are still queued, or were delivered or given up.
    if (offsets.handed_out(where, m->offset))
      return;
    offsets.started(where, m->offset);
    auto decoded = actors::decode_event(
        std::string_view{static_cast<const char*>(m->payload), m->payload ? m->len : 0});
    auto hooks = decoded ? webhooks_of(*decoded) : std::vector<outgoing_webhook>{};
    if (hooks.empty()) { // nothing to send (the worker dead-letters what does not decode)
      offsets.finished(where, m->offset);
      return;
    }
    auto ticket = ++last_ticket;
    records[ticket] = {where, m->offset};
    {
      std::lock_guard lock{mutex};
      open_per_ticket[ticket] = static_cast<int>(hooks.size());
    }
    for (auto& h : hooks)
      enqueue({std::move(h), 0, ticket}, clock_type::now());
  }

  void commit() {
    std::vector<uint64_t> done;
    {
      std::lock_guard lock{mutex};
      done.swap(done_tickets);
    }
    for (auto t : done) {
      auto it = records.find(t);
      if (it == records.end())
        continue;
      offsets.finished(it->second.first, it->second.second);
      records.erase(it);
    }
    kafka::commit_offsets(consumer.get(), offsets.take_commits(), kafka::commit_mode::async);
  }

  void consume_loop() {
    auto next_commit = clock_type::now() + commit_interval;
    while (!stopping && !consumer_stopping) {
      if (auto* m = rd_kafka_consumer_poll(consumer.get(), 100)) {
        take(m);
        rd_kafka_message_destroy(m);
      }
      if (clock_type::now() >= next_commit) {
        commit();
        next_commit = clock_type::now() + commit_interval;
      }
    }
    commit();
  }
};

std::variant<std::unique_ptr<webhook_sender>, std::string>
webhook_sender::start(const kafka::kafka_settings& settings, std::string signing_secret,
                      const webhook_registry& registry) {
  auto client =
      kafka::join_group(settings, settings.client_id + "-webhooks", settings.group_id + "-webhooks",
                        {settings.topics.payment, settings.topics.lifecycle});
  if (auto* err = std::get_if<std::string>(&client))
    return "webhooks: " + *err;
  auto state = std::make_unique<impl>(settings, std::move(signing_secret), registry);
  state->consumer = std::move(std::get<kafka::client_handle>(client));
  auto* raw = state.get();
  state->consumer_thread = std::thread{[raw] {
    raw->consume_loop();
  }};
  for (int i = 0; i < delivery_threads; ++i)
    state->senders.emplace_back([raw] { raw->send_loop(); });
  return std::unique_ptr<webhook_sender>{new webhook_sender{std::move(state)}};
}

webhook_sender::webhook_sender(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}

webhook_sender::~webhook_sender() {
  {
    std::lock_guard lock{impl_->mutex};
    impl_->stopping = true;
    impl_->wake.notify_all();
  }
  for (auto& t : impl_->senders)
    t.join();
  if (impl_->consumer_thread.joinable()) // not after a restart whose new client failed
    impl_->consumer_thread.join();
  if (impl_->consumer)
    rd_kafka_consumer_close(impl_->consumer.get());
}

result<std::string> webhook_sender::restart() {
  auto& s = *impl_;
  s.consumer_stopping = true;
  if (s.consumer_thread.joinable())
    s.consumer_thread.join(); // its last commit covers what ended so far
  if (s.consumer)
    rd_kafka_consumer_close(s.consumer.get());
  s.consumer.reset();
  auto client = kafka::join_group(s.settings, s.settings.client_id + "-webhooks",
                                  s.settings.group_id + "-webhooks",
                                  {s.settings.topics.payment, s.settings.topics.lifecycle});
  if (auto* err = std::get_if<std::string>(&client)) {
    spdlog::error("webhooks: the sender's consumer did not start again: {}", *err);
    return fail(errc::unavailable, "the webhook sender left its group but could not start "
                                   "again: " +
                                       *err + "; restart it again");
  }
  s.consumer = std::move(std::get<kafka::client_handle>(client));
  s.consumer_stopping = false;
  s.consumer_thread = std::thread{[raw = &s] {
    raw->consume_loop();
  }};
  auto text = "webhook-sender: committed what was delivered or given up, left the group and "
              "joined it again; " +
              std::to_string(stats().pending) + " pending delivery(ies) kept";
  spdlog::info("{}", text);
  return text;
}

void webhook_sender::schedule(outgoing_webhook w, std::chrono::milliseconds delay) {
  impl_->enqueue({std::move(w), 0, 0}, clock_type::now() + delay);
}

const std::string& webhook_sender::signing_secret() const noexcept {
  return impl_->secret;
}

sender_stats webhook_sender::stats() const {
  sender_stats s;
  s.delivered = impl_->delivered;
  s.attempts_failed = impl_->failed;
  s.given_up = impl_->given_up;
  std::lock_guard lock{impl_->mutex};
  s.pending = static_cast<int64_t>(impl_->queue.size());
  return s;
}

} // namespace tt::adapters::webhooks
