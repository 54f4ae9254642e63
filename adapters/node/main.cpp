// tacosd: one Traffic Tacos node. The composition root: builds every layer in dependency order
// (storage -> Kafka -> actors -> worker -> webhooks -> user streams -> gRPC adapters) and stops
// them in reverse. Blocks SIGINT/SIGTERM before any thread starts, so the main thread alone
// receives them through sigwait.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <pthread.h>
#include <random>
#include <sstream>
#include <variant>

#include <absl/synchronization/mutex.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/node_health_actor.hpp"
#include "actors/runtime/recovery.hpp"
#include "actors/runtime/scheduler_setup.hpp"
#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/catalog/catalog_directory.hpp"
#include "adapters/grpc/admin_service_adapter.hpp"
#include "adapters/grpc/gateway_service_adapter.hpp"
#include "adapters/grpc/inventory_service_adapter.hpp"
#include "adapters/grpc/payment_service_adapter.hpp"
#include "adapters/grpc/queue_service_adapter.hpp"
#include "adapters/grpc/reservation_service_adapter.hpp"
#include "adapters/grpc/server.hpp"
#include "adapters/grpc/webhook_service_adapter.hpp"
#include "adapters/grpc/websocket_service_adapter.hpp"
#include "adapters/grpc/worker_service_adapter.hpp"
#include "adapters/kafka/kafka_health.hpp"
#include "adapters/kafka/update_feed.hpp"
#include "adapters/kafka/worker_consumer.hpp"
#include "adapters/node/config.hpp"
#include "adapters/node/event_backbone.hpp"
#include "adapters/node/logging.hpp"
#include "adapters/node/shutdown_watchdog.hpp"
#include "storage/data_directory.hpp"
#include "storage/rocksdb_snapshot_store.hpp"

extern char** environ;

namespace {

constexpr const char* version = "0.1.0";
/// How long GetSystemHealth waits for the brokers' metadata answer (cached for a second).
constexpr std::chrono::milliseconds kafka_health_timeout{500};
/// How long the actors, the publisher's flush and the store's close may take once gRPC and the
/// worker have stopped (normally well under a second; see shutdown_watchdog.hpp).
constexpr std::chrono::milliseconds stop_limit{10'000};

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

std::shared_ptr<tt::actors::runtime_config> runtime_of(const tt::node::node_config& cfg) {
  using std::chrono::seconds;
  auto rt = std::make_shared<tt::actors::runtime_config>();
  rt->shard_count = static_cast<uint32_t>(cfg.shards);
  rt->policy.hold_duration = seconds{cfg.hold_seconds};
  rt->policy.max_extension = seconds{cfg.max_extension_seconds};
  rt->policy.max_hold_lifetime = seconds{cfg.max_hold_lifetime_seconds};
  rt->policy.max_seats = static_cast<int32_t>(cfg.max_seats_per_reservation);
  rt->idempotency.ttl = seconds{cfg.idempotency_ttl_seconds};
  rt->passivate_after = seconds{cfg.passivate_after_seconds};
  rt->payment.settle_delay = std::chrono::milliseconds{cfg.payment_settle_delay_ms};
  rt->payment.long_delay = std::chrono::milliseconds{cfg.payment_long_delay_ms};
  rt->payment.approve_ratio = static_cast<double>(cfg.payment_random_approve_percent) / 100.0;
  rt->payment.intent_lifetime = seconds{cfg.payment_intent_ttl_seconds};
  rt->unsafe.ack_holds_before_apply = cfg.unsafe_ack_holds_before_apply;
  rt->unsafe.skip_persistence = cfg.unsafe_skip_persistence;
  if (rt->unsafe.skip_persistence)
    spdlog::warn("testing.unsafe_skip_persistence is on: this node LOSES acknowledged writes");
  if (rt->unsafe.ack_holds_before_apply)
    spdlog::warn("testing.unsafe_ack_holds_before_apply is on: this node OVERSELLS by design");
  rt->unsafe.skip_admission_check = cfg.unsafe_skip_admission_check;
  if (rt->unsafe.skip_admission_check)
    spdlog::warn("testing.unsafe_skip_admission_check is on: holds BYPASS the waiting rooms");
  auto& room = rt->queue.defaults;
  room.admissions_per_second = static_cast<uint32_t>(cfg.queue_admissions_per_second);
  room.max_active = static_cast<uint32_t>(cfg.queue_max_active);
  room.admission_validity = seconds{cfg.queue_token_ttl_seconds};
  room.idle_timeout = seconds{cfg.queue_idle_timeout_seconds};
  rt->queue.tick_interval = std::chrono::milliseconds{cfg.queue_tick_ms};
  return rt;
}

/// `chars` random lower-case hex digits: the keys the node makes up when none is configured.
std::string random_hex(size_t chars) {
  std::random_device random;
  std::string out;
  for (size_t i = 0; i < chars; ++i)
    out.push_back("0123456789abcdef"[random() % 16]);
  return out;
}

/// The configured webhook secret, or a random one for this run.
std::string webhook_secret_of(const tt::node::node_config& cfg) {
  if (cfg.webhook_signing_secret != "generated")
    return cfg.webhook_signing_secret;
  auto secret = random_hex(32);
  spdlog::warn("webhooks: webhook.signing_secret not set; signing with a random secret for this "
               "run (receivers cannot verify across restarts)");
  return secret;
}

/// queue.secret, or a random one when unset (tokens then die with the node, as its rooms do);
/// nullopt (logged) when set but too short to be a safe HMAC key.
std::optional<std::string> queue_secret_of(const tt::node::node_config& cfg) {
  if (cfg.queue_secret.empty())
    return random_hex(2 * tt::domain::min_admission_secret_length);
  if (cfg.queue_secret.size() < tt::domain::min_admission_secret_length) {
    spdlog::error("queue.secret: {} bytes; a reservation-token key needs at least {}",
                  cfg.queue_secret.size(), tt::domain::min_admission_secret_length);
    return std::nullopt;
  }
  return cfg.queue_secret;
}

/// The ValidateToken verifier from auth.*, or why it cannot be built; nullopt with no key set
/// (ValidateToken then answers UNAVAILABLE).
std::variant<std::optional<tt::adapters::auth::jwt_verifier>, std::string>
jwt_of(const tt::node::node_config& cfg) {
  tt::adapters::auth::jwt_config jwt;
  jwt.hs256_secret = cfg.jwt_hs256_secret;
  jwt.issuer = cfg.jwt_issuer;
  jwt.audience = cfg.jwt_audience;
  if (!cfg.jwt_rs256_public_key_file.empty()) {
    std::ifstream in(cfg.jwt_rs256_public_key_file);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in)
      return "auth.jwt_rs256_public_key_file: cannot read " + cfg.jwt_rs256_public_key_file;
    jwt.rs256_public_key_pem = pem.str();
  }
  if (jwt.hs256_secret.empty() && jwt.rs256_public_key_pem.empty())
    return std::optional<tt::adapters::auth::jwt_verifier>{};
  auto verifier = tt::adapters::auth::jwt_verifier::create(std::move(jwt));
  if (!verifier)
    return "auth: " + verifier.error().message;
  return std::optional<tt::adapters::auth::jwt_verifier>{std::move(*verifier)};
}

tt::storage::store_options store_options_of(const tt::node::node_config& cfg) {
  tt::storage::store_options out;
  out.group_commit.sync = cfg.storage_sync == "always" ? tt::storage::sync_policy::always
                          : cfg.storage_sync == "none" ? tt::storage::sync_policy::none
                                                       : tt::storage::sync_policy::batch;
  out.group_commit.max_delay = std::chrono::microseconds{cfg.storage_max_delay_us};
  return out;
}

/// Restores every stored event, adds the catalog's, and defines them all before the node
/// serves; false if the store or the catalog is unusable.
bool recover_and_load(caf::actor_system& actors, const tt::actors::shard_region& region,
                      const tt::storage::snapshot_store& store, const std::string& dir,
                      tt::timestamp now, tt::actors::recovery_summary& summary) {
  auto catalog = tt::adapters::catalog::load_catalog_directory(dir);
  if (!catalog && catalog.error().code == tt::errc::not_found) {
    spdlog::warn("catalog: no directory {}; serving the stored events only", dir);
    catalog = std::vector<tt::domain::event_definition>{};
  }
  if (!catalog) {
    spdlog::error("catalog: {}", catalog.error().message);
    return false;
  }
  auto plan = tt::actors::plan_recovery(store, std::move(*catalog), now, summary);
  if (!plan) {
    spdlog::error("recovery: {}", plan.error().message);
    return false;
  }
  caf::scoped_actor self{actors};
  bool ok = true;
  self->request(region, caf::infinite, std::move(*plan))
      .receive(
          [&](const tt::actors::catalog_defined& outcome) {
            for (const auto& e : outcome.defined)
              spdlog::info("catalog: event {} with {} seats", e.event(), e.capacity);
            // Events that have reservations keep their stored definition (not an error).
            for (const auto& kept : outcome.kept) {
              bool has_reservations = kept.code == tt::errc::failed_precondition;
              spdlog::log(has_reservations ? spdlog::level::warn : spdlog::level::err,
                          "catalog: {}", kept.message);
              ok = ok && has_reservations;
            }
          },
          [&](const caf::error& err) {
            spdlog::error("catalog: {}", caf::to_string(err));
            ok = false;
          });
  spdlog::info("recovery: {} events, {} reservations ({} live holds, {} lapsed while down, "
               "released now), {} idempotency records in {} ms",
               summary.events, summary.reservations, summary.live_holds, summary.lapsed_holds,
               summary.idempotency_records, summary.took.count());
  return ok;
}

int run(const tt::node::node_config& cfg, const sigset_t& signals) {
  auto started_at = std::chrono::steady_clock::now();
  auto opened = tt::storage::data_directory::open(cfg.data_dir);
  if (auto* err = std::get_if<std::string>(&opened)) {
    spdlog::error("storage: {}", *err);
    return 1;
  }
  auto dir = std::move(std::get<0>(opened));
  spdlog::info("storage: data directory {}", dir->path().string());
  auto store_opened =
      tt::storage::rocksdb_snapshot_store::open(dir->path() / "snapshots", store_options_of(cfg));
  if (auto* err = std::get_if<tt::storage::storage_error>(&store_opened)) {
    spdlog::error("storage: cannot open the snapshot store: {}", err->message);
    return 1;
  }
  std::shared_ptr<tt::storage::rocksdb_snapshot_store> store = std::move(std::get<0>(store_opened));
  spdlog::info("storage: snapshot store open, sync {}", cfg.storage_sync);
  auto started_backbone = tt::node::start_event_backbone(cfg, *store);
  if (auto* err = std::get_if<std::string>(&started_backbone)) {
    spdlog::error("{}", *err);
    return 1;
  }
  auto& backbone = std::get<tt::node::event_backbone>(started_backbone);
  // Declared after the store, so it is destroyed first: actors never outlive the store.
  caf::actor_system_config actor_cfg;
  actor_cfg.add_message_types<caf::id_block::tt>();
  tt::actors::configure_scheduler(actor_cfg, cfg.actor_scheduler,
                                  static_cast<size_t>(cfg.actor_threads));
  caf::actor_system actors{actor_cfg};
  spdlog::info("actors: {} scheduler threads ({})", actors.scheduler().num_workers(),
               cfg.actor_scheduler);
  auto runtime = runtime_of(cfg);
  auto secret = queue_secret_of(cfg);
  auto jwt = jwt_of(cfg);
  if (auto* err = std::get_if<std::string>(&jwt))
    spdlog::error("{}", *err);
  if (!secret || std::holds_alternative<std::string>(jwt))
    return 1;
  runtime->queue.secret = *secret;
  runtime->store = store;
  runtime->events = backbone.publisher;
  runtime->expiry_backstop = std::chrono::milliseconds{cfg.expiry_backstop_ms};
  auto region = tt::actors::spawn_shard_region(actors, runtime);
  tt::actors::recovery_summary summary;
  bool loaded =
      recover_and_load(actors, region, *store, cfg.catalog_dir, runtime->time->now(), summary);
  auto worker = tt::actors::spawn_worker(actors, region, runtime, {});
  tt::actors::node_health_actor health; // once the worker consumer it probes runs
  auto stop_actors = [&] {
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
    if (health)
      caf::anon_send_exit(health, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(region, caf::exit_reason::user_shutdown);
  };
  if (!loaded) {
    stop_actors();
    return 1;
  }
  auto consumer_started = tt::adapters::kafka::worker_consumer::start(
      backbone.settings, worker, *backbone.publisher, runtime->durable_store());
  if (auto* err = std::get_if<std::string>(&consumer_started)) {
    spdlog::error("{}", *err);
    stop_actors();
    return 1;
  }
  auto consumer = std::move(std::get<0>(consumer_started));
  // Serving before the worker consumes would let the first holds and payments wait for it.
  if (consumer->wait_for_assignment(std::chrono::seconds{15}))
    spdlog::info("kafka: worker consuming {} partitions (group {})",
                 consumer->stats().assigned_partitions, backbone.settings.group_id);
  else
    spdlog::warn("kafka: the worker got no partitions within 15 s (other members may own them "
                 "all); holds still end by their backstop timer");
  // The probe reads the consumer, which main resets only after gRPC (the only asker) drained.
  auto kafka_probe = [publisher = backbone.publisher, consumer = consumer.get(),
                      endpoint = backbone.settings.bootstrap_servers] {
    return tt::adapters::kafka::check_kafka(endpoint, *publisher, consumer, kafka_health_timeout);
  };
  health =
      tt::actors::spawn_node_health(actors, {cfg.node_id, version, started_at, summary.metrics()},
                                    *dir, store.get(), {kafka_probe});

  auto registry = tt::adapters::webhooks::webhook_registry::open(runtime->durable_store());
  if (!registry) {
    spdlog::error("webhooks: {}", registry.error().message);
    consumer.reset();
    stop_actors();
    return 1;
  }
  auto webhook_secret = webhook_secret_of(cfg);
  auto sender_started =
      tt::adapters::webhooks::webhook_sender::start(backbone.settings, webhook_secret, **registry);
  if (auto* err = std::get_if<std::string>(&sender_started)) {
    spdlog::error("{}", *err);
    consumer.reset();
    stop_actors();
    return 1;
  }
  auto sender = std::move(std::get<0>(sender_started));
  tt::actors::user_hub_settings hub_settings;
  hub_settings.time = runtime->time;
  hub_settings.expiring_soon = std::chrono::seconds{cfg.streams_expiring_soon_seconds};
  auto hub = tt::actors::spawn_user_hub(actors, hub_settings);
  auto stop_hub = [&] {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  };
  auto feed_started = tt::adapters::kafka::update_feed::start(backbone.settings, hub);
  if (auto* err = std::get_if<std::string>(&feed_started)) {
    spdlog::error("{}", *err);
    stop_hub();
    sender.reset();
    consumer.reset();
    stop_actors();
    return 1;
  }
  auto feed = std::move(std::get<0>(feed_started));
  spdlog::info("kafka: user streams read {} partitions from their end", feed->partitions());

  tt::adapters::rpc::server_options opts;
  opts.listen = cfg.grpc_listen;
  opts.max_message_bytes = static_cast<int>(cfg.grpc_max_message_bytes);
  opts.limits.default_timeout = std::chrono::milliseconds{cfg.grpc_default_timeout_ms};
  opts.limits.max_timeout = std::chrono::milliseconds{cfg.grpc_max_timeout_ms};
  tt::adapters::rpc::server grpc_server{opts};
  tt::adapters::rpc::call_bridge bridge{actors, runtime->time};
  tt::adapters::rpc::gateway_service_adapter gateway{
      grpc_server.service("gateway.v1.GatewayService"), bridge, health, region,
      std::get<std::optional<tt::adapters::auth::jwt_verifier>>(std::move(jwt))};
  tt::adapters::rpc::queue_service_adapter queue{grpc_server.service("gateway.v1.QueueService"),
                                                 bridge, region};
  tt::adapters::rpc::websocket_service_adapter streams{
      grpc_server.service("gateway.v1.WebSocketService"),  actors, bridge, region, hub,
      static_cast<size_t>(cfg.streams_max_pending_updates)};
  tt::adapters::rpc::admin_service_adapter admin{grpc_server.service("common.v1.AdminService"),
                                                 bridge, health, region, cfg.catalog_dir};
  tt::adapters::rpc::reservation_service_adapter reservations{
      grpc_server.service("reservation.v1.ReservationService"), bridge, region};
  tt::adapters::rpc::inventory_service_adapter inventory{
      grpc_server.service("reservation.v1.InventoryService"), bridge, region};
  tt::adapters::rpc::payment_service_adapter payments{
      grpc_server.service("payment.v1.PaymentService"), bridge, region, *sender};
  tt::adapters::rpc::worker_service_adapter workers{
      grpc_server.service("reservation.v1.WorkerService"), bridge, worker, cfg.node_id};
  tt::adapters::rpc::webhook_service_adapter webhooks{
      grpc_server.service("gateway.v1.WebhookService"), bridge, worker, **registry, webhook_secret};
  auto started = grpc_server.start();
  if (auto* err = std::get_if<std::string>(&started)) {
    spdlog::error("grpc: {}", *err);
    feed.reset();
    stop_hub();
    sender.reset();
    consumer.reset();
    stop_actors();
    return 1;
  }
  // Tests and launchers read this line to learn the port (grpc.listen may ask for port 0).
  spdlog::info("grpc: serving {} contract services on port {} (node {})",
               tt::adapters::rpc::contract_service_names().size(), std::get<int>(started),
               cfg.node_id);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("shutdown: {} received, draining calls for up to {} ms", strsignal(sig),
               cfg.shutdown_grace_ms);
  grpc_server.shutdown(std::chrono::milliseconds{cfg.shutdown_grace_ms});
  feed.reset();
  stop_hub();
  sender.reset();
  consumer.reset(); // commits the offsets of what is done, leaves the group
  tt::node::end_process_after(stop_limit);
  stop_actors();
  spdlog::info("shutdown: gRPC and the worker stopped; stopping actors");
  // What is not acknowledged by then stays in the outbox for the next start.
  backbone.publisher->flush(std::chrono::seconds{2});
  // The actor system, then the publisher and the embedded cluster, then the store, then the data
  // directory lock go on the way out.
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Debian builds abseil without NDEBUG, so every absl::Mutex that gRPC locks also updates
  // the global deadlock-detection graph (GraphCycles, under one spinlock): 3-5 % of the node's
  // CPU in a JoinQueue run. A debugging aid, off as in abseil's release builds.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto loaded = tt::node::load_config({argv + 1, argv + argc}, environ);
  if (auto* err = std::get_if<std::string>(&loaded)) {
    std::fprintf(stderr, "tacosd: %s\n", err->c_str());
    return 2;
  }
  const auto& args = std::get<tt::node::parsed_args>(loaded);
  if (args.help) {
    std::fputs(tt::node::config_reference().c_str(), stdout);
    return 0;
  }
  tt::node::setup_logging(args.config.log_level, args.config.log_format);
  try {
    return run(args.config, signals);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
