// tacosd: one Traffic Tacos node. The composition root: starts every layer in dependency order
// (storage -> Kafka -> actors -> worker -> webhooks -> user streams -> gRPC adapters), each
// followed at once by its deferred stop (deferred_stop.hpp), so that every way out of run() stops
// what started in reverse order, exactly once. Blocks SIGINT/SIGTERM before any thread starts, so
// the main thread alone receives them through sigwait.
//
// Errors: a step that cannot start returns cannot_start(why): one critical log line "cannot
// start: <area>: <why>", then the guards stop what started and the process exits 1. An exception
// does the same, logged as "fatal: ...". Exit statuses: exit_status_help below (also in --help).

#include <csignal>
#include <cstdio>
#include <optional>
#include <pthread.h>
#include <sstream>
#include <variant>

#include <absl/synchronization/mutex.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/node_health_actor.hpp"
#include "actors/runtime/recovery.hpp"
#include "actors/runtime/scheduler_setup.hpp"
#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/auth/user_directory.hpp"
#include "adapters/catalog/catalog_directory.hpp"
#include "adapters/cluster/cluster_node.hpp"
#include "adapters/grpc/admin_guard.hpp"
#include "adapters/grpc/admin_service_adapter.hpp"
#include "adapters/grpc/core_log.hpp"
#include "adapters/grpc/forwarding.hpp"
#include "adapters/grpc/gateway_service_adapter.hpp"
#include "adapters/grpc/inventory_service_adapter.hpp"
#include "adapters/grpc/payment_service_adapter.hpp"
#include "adapters/grpc/queue_service_adapter.hpp"
#include "adapters/grpc/reservation_service_adapter.hpp"
#include "adapters/grpc/server.hpp"
#include "adapters/grpc/user_service_adapter.hpp"
#include "adapters/grpc/webhook_service_adapter.hpp"
#include "adapters/grpc/websocket_service_adapter.hpp"
#include "adapters/grpc/worker_service_adapter.hpp"
#include "adapters/http/http_gateway.hpp"
#include "adapters/kafka/kafka_health.hpp"
#include "adapters/kafka/update_feed.hpp"
#include "adapters/kafka/worker_consumer.hpp"
#include "adapters/metrics/counting_publisher.hpp"
#include "adapters/metrics/metrics_listener.hpp"
#include "adapters/metrics/rpc_metrics.hpp"
#include "adapters/node/actor_figures.hpp"
#include "adapters/node/config.hpp"
#include "adapters/node/deferred_stop.hpp"
#include "adapters/node/event_backbone.hpp"
#include "adapters/node/logging.hpp"
#include "adapters/node/metrics_sources.hpp"
#include "adapters/node/runtime_settings.hpp"
#include "adapters/node/secrets.hpp"
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

/// The process's exit status, one convention for every way out.
namespace exit_status {
constexpr int ok = 0;
constexpr int failed = 1;
constexpr int bad_usage = 2;
} // namespace exit_status

constexpr const char* exit_status_help =
    "exit status:\n"
    "  0  stopped cleanly after SIGINT or SIGTERM (or --help)\n"
    "  1  could not start, or failed: the last critical log line says why (\"cannot start: ...\"\n"
    "     or \"fatal: ...\"); whatever had started was stopped first, in reverse order\n"
    "  2  a malformed command line or configuration: stderr says why; nothing was started\n";

/// The one way a start-up step reports its failure: the caller returns this at once, and the
/// guards of what started then stop it.
int cannot_start(std::string_view why) {
  spdlog::critical("cannot start: {}", why);
  return exit_status::failed;
}

template <class Handle>
void stop_actor(const Handle& actor) {
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

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
  if (cfg.unsafe_skip_persistence)
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

tt::storage::store_options store_options_of(const tt::node::node_config& cfg) {
  tt::storage::store_options out;
  out.group_commit.sync = cfg.storage_sync == "always" ? tt::storage::sync_policy::always
                          : cfg.storage_sync == "none" ? tt::storage::sync_policy::none
                                                       : tt::storage::sync_policy::batch;
  out.group_commit.max_delay = std::chrono::microseconds{cfg.storage_max_delay_us};
  // RocksDB's warnings and errors (a full disk, a failed flush) join the node's own log.
  out.log = [](std::string_view line) {
    spdlog::warn("rocksdb: {}", line);
  };
  return out;
}

/// The catalog directory's definitions; none (logged) when it is missing or unreadable. For a
/// clustered node gaining shards after start-up (a broken catalog then must not stop the node).
tt::adapters::catalog::shared_catalog catalog_or_none(tt::adapters::catalog::catalog_cache& cache) {
  auto catalog = cache.load();
  if (!catalog) {
    spdlog::error("catalog: {}; serving the stored events only", catalog.error().message);
    return std::make_shared<const std::vector<tt::domain::event_definition>>();
  }
  return std::move(*catalog);
}

/// Joins the clustered node set (cluster.enabled).
tt::adapters::http::http_gateway_options http_options_of(const tt::node::node_config& cfg) {
  tt::adapters::http::http_gateway_options out;
  auto& server = out.server;
  server.listen = cfg.http_listen;
  server.threads = static_cast<size_t>(cfg.http_threads);
  server.max_connections = static_cast<size_t>(cfg.http_max_connections);
  out.max_websockets = static_cast<size_t>(cfg.http_max_websockets);
  server.max_header_bytes = static_cast<uint32_t>(cfg.http_max_header_bytes);
  server.max_body_bytes = static_cast<uint64_t>(cfg.http_max_body_bytes);
  server.read_timeout = std::chrono::milliseconds{cfg.http_read_timeout_ms};
  server.idle_timeout = std::chrono::milliseconds{cfg.http_idle_timeout_ms};
  auto& gw = out.gateway;
  std::stringstream origins(cfg.http_cors_origins);
  for (std::string origin; std::getline(origins, origin, ',');)
    if (!origin.empty())
      gw.cors_origins.push_back(origin);
  gw.rate_per_second = static_cast<double>(cfg.http_rate_limit_per_second);
  gw.rate_burst = static_cast<double>(cfg.http_rate_limit_burst);
  if (!cfg.jwt_issuer.empty())
    gw.issuer = cfg.jwt_issuer;
  if (!cfg.jwt_audience.empty())
    gw.audience = cfg.jwt_audience;
  gw.token_lifetime = std::chrono::seconds{cfg.http_token_ttl_seconds};
  gw.max_pending_updates = static_cast<size_t>(cfg.streams_max_pending_updates);
  gw.websocket_idle_timeout = server.idle_timeout;
  gw.operator_role = cfg.admin_role;
  gw.version = version;
  gw.node_id = cfg.node_id;
  return out;
}

std::variant<std::unique_ptr<tt::adapters::cluster::cluster_node>, std::string>
join_cluster(const tt::node::node_config& cfg, std::shared_ptr<tt::storage::snapshot_store> local) {
  if (cfg.kafka_bootstrap_servers == "embedded")
    return std::string{"cluster.enabled needs kafka.bootstrap_servers to name the cluster's "
                       "shared Kafka (tacos-broker, or a real cluster), not embedded"};
  tt::adapters::cluster::cluster_settings s;
  s.bootstrap_servers = cfg.kafka_bootstrap_servers;
  s.node_id = cfg.node_id;
  s.advertise = cfg.cluster_advertise.empty() ? cfg.grpc_listen : cfg.cluster_advertise;
  if (s.advertise.size() >= 2 && s.advertise.substr(s.advertise.size() - 2) == ":0")
    return std::string{"grpc.listen asks for port 0: set cluster.advertise to the address the "
                       "other nodes reach this one at"};
  s.group_id = cfg.cluster_group_id;
  s.shard_topic = cfg.cluster_shard_topic;
  s.members_topic = cfg.cluster_members_topic;
  s.session_timeout = std::chrono::milliseconds{cfg.cluster_session_timeout_ms};
  s.announce_interval = std::chrono::milliseconds{cfg.cluster_announce_interval_ms};
  s.snapshot_every_bytes = cfg.cluster_snapshot_every_bytes;
  s.shard_count = static_cast<uint32_t>(cfg.shards);
  s.unsafe_skip_fence = cfg.unsafe_skip_fence;
  return tt::adapters::cluster::cluster_node::join(s, std::move(local));
}

/// The guard of the operators' calls: a token with auth.admin_role when set (which needs a JWT
/// key), else open, with a warning.
std::variant<tt::adapters::rpc::admin_guard, std::string>
admin_guard_of(const tt::node::node_config& cfg,
               const std::optional<tt::adapters::auth::jwt_verifier>& jwt,
               tt::adapters::logs::throttled_log& refusals) {
  if (cfg.admin_role.empty()) {
    spdlog::warn("admin: auth.admin_role is not set: AdminService and WorkerService's operator "
                 "calls are OPEN to anyone who reaches the port (emergency actions included)");
    return tt::adapters::rpc::admin_guard{refusals};
  }
  if (!jwt)
    return std::string{"auth.admin_role needs a key to verify tokens with "
                       "(auth.jwt_hs256_secret or auth.jwt_rs256_public_key_file)"};
  spdlog::info("admin: operator calls need a bearer token with role {}", cfg.admin_role);
  return tt::adapters::rpc::admin_guard{*jwt, cfg.admin_role, refusals};
}

/// Restores every stored event, adds the catalog's, and defines them all before the node
/// serves. Returns why the store or the catalog is unusable, if either is.
std::optional<std::string> recover_and_load(caf::actor_system& actors,
                                            const tt::actors::shard_region& region,
                                            const tt::storage::snapshot_store& store,
                                            const std::string& dir, tt::timestamp now,
                                            tt::actors::recovery_summary& summary) {
  auto catalog = tt::adapters::catalog::load_catalog_directory(dir);
  if (!catalog && catalog.error().code == tt::errc::not_found) {
    spdlog::warn("catalog: no directory {}; serving the stored events only", dir);
    catalog = std::vector<tt::domain::event_definition>{};
  }
  if (!catalog)
    return "catalog: " + catalog.error().message;
  auto plan = tt::actors::plan_recovery(store, std::move(*catalog), now, summary);
  if (!plan)
    return "recovery: " + plan.error().message;
  caf::scoped_actor self{actors};
  std::vector<std::string> problems;
  self->request(region, caf::infinite, std::move(*plan))
      .receive(
          [&](const tt::actors::catalog_defined& outcome) {
            for (const auto& e : outcome.defined)
              spdlog::info("catalog: event {} with {} seats", e.event(), e.capacity);
            // Events that have reservations keep their stored definition (not an error).
            for (const auto& kept : outcome.kept) {
              if (kept.code == tt::errc::failed_precondition)
                spdlog::warn("catalog: {}", kept.message);
              else
                problems.push_back(kept.message);
            }
          },
          [&](const caf::error& err) { problems.push_back(caf::to_string(err)); });
  spdlog::info("recovery: {} events, {} reservations ({} live holds, {} lapsed while down, "
               "released now), {} idempotency records in {} ms",
               summary.events, summary.reservations, summary.live_holds, summary.lapsed_holds,
               summary.idempotency_records, summary.took.count());
  if (problems.empty())
    return std::nullopt;
  return fmt::format("catalog: {}", fmt::join(problems, "; "));
}

/// Starts every component in dependency order, each followed at once by its deferred stop, and
/// serves until SIGINT or SIGTERM. Every return (and an exception) stops what started, in
/// reverse, once.
int run(const tt::node::node_config& cfg, const tt::node::node_logging& logging,
        const sigset_t& signals) {
  using tt::node::defer_stop;
  auto started_at = std::chrono::steady_clock::now();
  // What the shutdown watchdog ends the process with if the stop hangs: a failure, until a
  // signal asks for the stop.
  int status = exit_status::failed;
  // Read before anything starts: a missing certificate file should cost nothing to find out.
  auto tls_read = tt::node::tls_of(cfg);
  if (auto* err = std::get_if<std::string>(&tls_read))
    return cannot_start("grpc: " + *err);
  auto tls = std::get<tt::adapters::rpc::tls_options>(std::move(tls_read));
  // Peers reach each other the way clients reach the node: TLS listeners, TLS between nodes.
  auto peer_tls_read = tt::node::peer_tls_of(cfg, tls);
  if (auto* err = std::get_if<std::string>(&peer_tls_read))
    return cannot_start("cluster: " + *err);
  auto peer_tls = std::get<std::optional<tt::adapters::rpc::peer_tls>>(std::move(peer_tls_read));
  // The gateway's login-token key: checked before anything starts, made only when it runs.
  std::string http_secret;
  if (cfg.http_listen != "off") {
    auto key = tt::node::http_token_secret_of(cfg);
    if (!key)
      return cannot_start(key.error().message);
    http_secret = std::move(*key);
  }
  auto opened = tt::storage::data_directory::open(cfg.data_dir);
  if (auto* err = std::get_if<std::string>(&opened))
    return cannot_start("storage: " + *err);
  auto dir = std::move(std::get<0>(opened));
  spdlog::info("storage: data directory {}", dir->path().string());
  auto stop_dir = defer_stop("data directory", [&dir] { dir.reset(); }); // releases its lock
  auto store_opened =
      tt::storage::rocksdb_snapshot_store::open(dir->path() / "snapshots", store_options_of(cfg));
  if (auto* err = std::get_if<tt::storage::storage_error>(&store_opened))
    return cannot_start("storage: cannot open the snapshot store: " + err->message);
  std::shared_ptr<tt::storage::rocksdb_snapshot_store> store = std::move(std::get<0>(store_opened));
  spdlog::info("storage: snapshot store open, sync {}", cfg.storage_sync);
  // Closed rather than released: the runtime shares the store (every holder has stopped by now).
  auto stop_store = defer_stop("snapshot store", [&store] {
    if (auto err = store->close())
      spdlog::error("storage: {}", err->message);
  });
  // What an operator changed at run time before this start wins over the config (log.level now).
  auto settings_opened = tt::node::runtime_settings::open(cfg, *store);
  if (auto* err = std::get_if<std::string>(&settings_opened))
    return cannot_start("settings: " + *err);
  auto settings = std::move(std::get<0>(settings_opened));
  settings->apply_with("log.level", [&logging](const std::string& level) {
    tt::node::set_log_level(logging, level);
  });
  // A clustered node's actors write through the cluster's changelog as well.
  std::shared_ptr<tt::storage::snapshot_store> actor_store = store;
  std::unique_ptr<tt::adapters::cluster::cluster_node> cluster;
  if (cfg.cluster_enabled) {
    auto joined = join_cluster(cfg, store);
    if (auto* err = std::get_if<std::string>(&joined))
      return cannot_start("cluster: " + *err);
    cluster = std::move(std::get<0>(joined));
    actor_store = cluster->store();
  }
  // After the actors stopped: leaving the group hands this node's shards to the others at once.
  auto leave_cluster = [&cluster] {
    cluster.reset();
  };
  std::optional<decltype(defer_stop("", leave_cluster))> stop_cluster;
  if (cluster)
    stop_cluster.emplace(defer_stop("cluster membership", leave_cluster));
  auto started_backbone = tt::node::start_event_backbone(cfg, *actor_store);
  if (auto* err = std::get_if<std::string>(&started_backbone))
    return cannot_start(*err);
  auto& backbone = std::get<tt::node::event_backbone>(started_backbone);
  auto stop_backbone = defer_stop(
      backbone.cluster ? "kafka publisher and embedded cluster" : "kafka publisher", [&backbone] {
        backbone.publisher.reset();
        backbone.cluster.reset();
      });

  // The one registry: /metrics and GetMetrics both collect it. Before the actor system, so that
  // it outlives the actors counting into it (counting_publisher).
  auto metrics = std::make_shared<tt::adapters::metrics::node_metrics>();
  caf::actor_system_config actor_cfg;
  actor_cfg.add_message_types<caf::id_block::tt>();
  tt::actors::configure_scheduler(actor_cfg, cfg.actor_scheduler,
                                  static_cast<size_t>(cfg.actor_threads));
  std::optional<caf::actor_system> system{std::in_place, actor_cfg};
  auto& actors = *system;
  spdlog::info("actors: {} scheduler threads ({})", actors.scheduler().num_workers(),
               cfg.actor_scheduler);
  // By now every actor was told to exit; the system waits for them to finish.
  auto stop_system = defer_stop("actor system", [&] {
    tt::node::end_process_after(stop_limit, status);
    spdlog::info("shutdown: gRPC and the worker stopped; stopping actors");
    // What is not acknowledged by then stays in the outbox for the next start.
    backbone.publisher->flush(std::chrono::seconds{2});
    system.reset();
  });
  auto runtime = runtime_of(cfg);
  // Weak: the settings outlive the runtime, whose publisher must go before the Kafka it talks to.
  settings->apply_with("reservation.hold_seconds",
                       [weak = std::weak_ptr{runtime}](const std::string& seconds) {
                         if (auto rt = weak.lock())
                           rt->hold_duration.set(std::chrono::seconds{std::stoll(seconds)});
                       });
  auto secret = tt::node::queue_secret_of(cfg);
  if (!secret)
    return cannot_start(secret.error().message);
  auto jwt = tt::node::jwt_of(cfg);
  if (auto* err = std::get_if<std::string>(&jwt))
    return cannot_start(*err);
  runtime->queue.secret = *secret;
  // Negative control: with no store the actors acknowledge writes they never stored.
  runtime->store = cfg.unsafe_skip_persistence ? nullptr : actor_store;
  runtime->events = backbone.publisher;
  if (cfg.metrics_enabled)
    runtime->events = std::make_shared<tt::adapters::metrics::counting_publisher>(
        metrics->registry(), backbone.publisher);
  runtime->expiry_backstop = std::chrono::milliseconds{cfg.expiry_backstop_ms};
  auto region = tt::actors::spawn_shard_region(actors, runtime);
  auto stop_region = defer_stop("shard region", [&region] { stop_actor(region); });
  tt::actors::recovery_summary summary;
  if (cluster) {
    // Events come and go with the shards the group gives this node (shard_host.hpp).
    cluster->serve({&actors, region, store, static_cast<uint32_t>(cfg.shards),
                    [cache = std::make_shared<tt::adapters::catalog::catalog_cache>(
                         cfg.catalog_dir)] { return catalog_or_none(*cache); },
                    [time = runtime->time] { return time->now(); }, backbone.publisher});
  } else if (auto problem = recover_and_load(actors, region, *store, cfg.catalog_dir,
                                             runtime->time->now(), summary)) {
    return cannot_start(*problem);
  }
  auto stop_hosting = [&cluster] {
    cluster->stop_serving();
  };
  std::optional<decltype(defer_stop("", stop_hosting))> stop_taking;
  if (cluster)
    stop_taking.emplace(defer_stop("cluster shard host", stop_hosting));
  auto worker = tt::actors::spawn_worker(actors, region, runtime, {});
  auto stop_worker = defer_stop("worker actor", [&worker] { stop_actor(worker); });

  auto consumer_started = tt::adapters::kafka::worker_consumer::start(
      backbone.settings, worker, *backbone.publisher, runtime->durable_store());
  if (auto* err = std::get_if<std::string>(&consumer_started))
    return cannot_start(*err);
  auto consumer = std::move(std::get<0>(consumer_started));
  // Commits the offsets of what is done, leaves the group.
  auto stop_consumer = defer_stop("worker consumer", [&consumer, &cluster] {
    if (cluster)
      cluster->follow_serving(nullptr);
    consumer.reset();
  });
  if (cluster) {
    // A clustered worker reads the partitions of the shards served here, as they come and go.
    cluster->follow_serving([c = consumer.get()](const auto& started, const auto& stopped) {
      if (!started.empty())
        c->serve_shards(started);
      if (!stopped.empty())
        c->release_shards(stopped);
    });
  } else if (consumer->wait_for_assignment(std::chrono::seconds{15})) {
    // Serving before the worker consumes would let the first holds and payments wait for it.
    spdlog::info("kafka: worker consuming {} partitions (group {})",
                 consumer->stats().assigned_partitions, backbone.settings.group_id);
  } else {
    spdlog::warn("kafka: the worker got no partitions within 15 s (other members may own them "
                 "all); holds still end by their backstop timer");
  }
  // The probe reads the consumer, which stops after this actor.
  auto kafka_probe = [publisher = backbone.publisher, consumer = consumer.get(),
                      endpoint = backbone.settings.bootstrap_servers] {
    return tt::adapters::kafka::check_kafka(endpoint, *publisher, consumer, kafka_health_timeout);
  };
  std::vector<tt::actors::health_probe> probes{kafka_probe};
  if (cluster)
    probes.push_back([node = cluster.get()] { return node->health(); });
  auto health =
      tt::actors::spawn_node_health(actors, {cfg.node_id, version, started_at, summary.metrics()},
                                    *dir, store.get(), std::move(probes));
  auto stop_health = defer_stop("health actor", [&health] { stop_actor(health); });

  auto registry = tt::adapters::webhooks::webhook_registry::open(runtime->durable_store());
  if (!registry)
    return cannot_start("webhooks: " + registry.error().message);
  auto webhook_secret = tt::node::webhook_secret_of(cfg);
  auto sender_started =
      tt::adapters::webhooks::webhook_sender::start(backbone.settings, webhook_secret, **registry);
  if (auto* err = std::get_if<std::string>(&sender_started))
    return cannot_start(*err);
  auto sender = std::move(std::get<0>(sender_started));
  auto stop_sender = defer_stop("webhook sender", [&sender] { sender.reset(); });
  tt::actors::user_hub_settings hub_settings;
  hub_settings.time = runtime->time;
  hub_settings.expiring_soon = std::chrono::seconds{cfg.streams_expiring_soon_seconds};
  auto hub = tt::actors::spawn_user_hub(actors, hub_settings);
  auto stop_hub = defer_stop("user hub", [&hub] { stop_actor(hub); });
  auto feed_started = tt::adapters::kafka::update_feed::start(backbone.settings, hub);
  if (auto* err = std::get_if<std::string>(&feed_started))
    return cannot_start(*err);
  auto feed = std::move(std::get<0>(feed_started));
  auto stop_feed = defer_stop("update feed", [&feed] { feed.reset(); });
  spdlog::info("kafka: user streams read {} partitions from their end", feed->partitions());

  tt::adapters::rpc::server_options opts;
  opts.listen = cfg.grpc_listen;
  opts.tls = std::move(tls);
  auto guard = admin_guard_of(cfg, std::get<0>(jwt), *logging.throttle);
  if (auto* err = std::get_if<std::string>(&guard))
    return cannot_start(*err);
  const auto& operators = std::get<tt::adapters::rpc::admin_guard>(guard);
  opts.max_message_bytes = static_cast<int>(cfg.grpc_max_message_bytes);
  opts.limits.default_timeout = std::chrono::milliseconds{cfg.grpc_default_timeout_ms};
  opts.limits.max_timeout = std::chrono::milliseconds{cfg.grpc_max_timeout_ms};
  // Outlives the server: calls waiting for a moving shard end by themselves (cluster.move_wait_ms).
  std::unique_ptr<tt::adapters::rpc::forwarding> router;
  tt::adapters::metrics::rpc_metrics rpc_meters{metrics->registry()};
  tt::adapters::rpc::server grpc_server{opts};
  if (cfg.metrics_enabled)
    grpc_server.measure(rpc_meters);
  if (cluster) {
    router = std::make_unique<tt::adapters::rpc::forwarding>(
        *cluster, tt::adapters::rpc::forwarding_settings{
                      cfg.node_id, std::chrono::milliseconds{cfg.cluster_move_wait_ms}, 10'000,
                      std::move(peer_tls)});
    grpc_server.set_router(router.get());
  }
  tt::adapters::rpc::call_bridge bridge{actors, runtime->time};
  grpc_server.service("common.v1.AdminService").guard(operators);
  grpc_server.service("reservation.v1.WorkerService")
      .guard(operators, {"ProcessReservationExpiry", "ProcessPaymentResult", "ProcessCompensation",
                         "GetJobStatus"});
  tt::adapters::rpc::gateway_service_adapter gateway{
      grpc_server.service("gateway.v1.GatewayService"), bridge, health, region,
      std::get<std::optional<tt::adapters::auth::jwt_verifier>>(std::move(jwt))};
  tt::adapters::rpc::queue_service_adapter queue{grpc_server.service("gateway.v1.QueueService"),
                                                 bridge, region, router.get()};
  tt::adapters::rpc::websocket_service_adapter streams{
      grpc_server.service("gateway.v1.WebSocketService"),   actors,      bridge, region, hub,
      static_cast<size_t>(cfg.streams_max_pending_updates), router.get()};
  tt::adapters::rpc::admin_service_adapter admin{grpc_server.service("common.v1.AdminService"),
                                                 bridge,
                                                 health,
                                                 region,
                                                 cfg.catalog_dir,
                                                 logging.buffer,
                                                 static_cast<size_t>(cfg.grpc_max_message_bytes),
                                                 tt::node::setting_keys()};
  admin.serve_metrics(grpc_server.service("common.v1.AdminService"), metrics);
  admin.serve_restarts({{"worker-consumer",
                         [c = consumer.get()] {
                           return c->restart();
                         }},
                        {"webhook-sender", [s = sender.get()] {
                           return s->restart();
                         }}});
  admin.serve_settings(settings);
  if (cluster)
    admin.control_cluster(*cluster);
  tt::adapters::rpc::reservation_service_adapter reservations{
      grpc_server.service("reservation.v1.ReservationService"), bridge, region, router.get()};
  tt::adapters::rpc::inventory_service_adapter inventory{
      grpc_server.service("reservation.v1.InventoryService"), bridge, region};
  tt::adapters::rpc::payment_service_adapter payments{
      grpc_server.service("payment.v1.PaymentService"), bridge, region, *sender, router.get()};
  tt::adapters::rpc::worker_service_adapter workers{
      grpc_server.service("reservation.v1.WorkerService"), bridge, worker, cfg.node_id};
  tt::adapters::rpc::webhook_service_adapter webhooks{
      grpc_server.service("gateway.v1.WebhookService"), bridge, worker, **registry, webhook_secret};
  // The gateway's users: in a cluster each lives on its name's shard (the changelog keeps it),
  // and the forwarding takes sign-up and sign-in to that shard's node.
  auto directory = tt::adapters::auth::user_directory::open(actor_store.get());
  if (!directory)
    return cannot_start("users: " + directory.error().message);
  tt::adapters::rpc::user_service_adapter users{grpc_server.service("tt.internal.v1.UserService"),
                                                **directory};
  auto started = grpc_server.start();
  if (auto* err = std::get_if<std::string>(&started))
    return cannot_start("grpc: " + *err);
  // Drains the calls; the adapters and their requesters go right after it, on the way out.
  auto stop_grpc = defer_stop("grpc server", [&grpc_server, &cfg] {
    grpc_server.shutdown(std::chrono::milliseconds{cfg.shutdown_grace_ms});
  });
  // The HTTP gateway calls the gRPC server in process; its stop waits for the calls it made.
  std::unique_ptr<tt::adapters::http::http_gateway> http;
  auto close_http = [&http] {
    http.reset();
  };
  std::optional<decltype(defer_stop("", close_http))> stop_http;
  if (cfg.http_listen != "off") {
    auto options = http_options_of(cfg);
    options.gateway.jwt_secret = http_secret;
    options.drain_limit = opts.limits.max_timeout;
    // Sockets subscribe to the actors the WebSocketService adapter uses; in a cluster a queue
    // socket goes through that service, whose routing may relay it from the token's owner.
    options.direct = tt::adapters::http::direct_streams{&actors, region, hub, !cluster};
    auto opened = tt::adapters::http::http_gateway::start(
        std::move(options), grpc_server.in_process_channel(),
        [&grpc_server](std::string_view path) { return grpc_server.local_call(path); },
        [dir = cfg.catalog_dir] {
          auto catalog = tt::adapters::catalog::load_catalog_directory(dir);
          return catalog ? std::move(*catalog) : std::vector<tt::domain::event_definition>{};
        });
    if (auto* err = std::get_if<std::string>(&opened))
      return cannot_start(*err);
    http = std::move(std::get<0>(opened));
    stop_http.emplace(defer_stop("http gateway", close_http));
  }
  // Tests and launchers read this line to learn the port (grpc.listen may ask for port 0).
  spdlog::info("grpc: serving {} contract services on port {} (node {}, {})",
               tt::adapters::rpc::contract_service_names().size(), std::get<int>(started),
               cfg.node_id,
               opts.tls.certificate_chain.empty() ? "plaintext"
               : opts.tls.client_ca.empty()       ? "TLS"
                                                  : "TLS with client certificates");
  if (http)
    spdlog::info("http: serving the JSON gateway on port {}", http->port());
  tt::node::add_metric_sources(*metrics, {backbone.publisher.get(), consumer.get(), sender.get(),
                                          actor_store.get(), store.get(), runtime->counts.get()});
  // The actors' own figures (seats, waiting rooms), asked for once a second.
  std::unique_ptr<tt::node::actor_figures> figures;
  if (cfg.metrics_enabled) {
    figures = std::make_unique<tt::node::actor_figures>(actors, region, cfg.catalog_dir,
                                                        std::chrono::seconds{1});
    metrics->add_source([f = figures.get()] { return f->collect(); });
  }
  auto stop_sources = defer_stop("metrics sources", [&metrics, &figures] {
    metrics->remove_sources();
    figures.reset();
  });
  std::unique_ptr<tt::adapters::metrics::metrics_listener> exposition;
  if (cfg.metrics_listen != "off") {
    auto listening = tt::adapters::metrics::metrics_listener::start(cfg.metrics_listen, metrics);
    if (auto* err = std::get_if<std::string>(&listening))
      return cannot_start(*err);
    exposition = std::move(std::get<0>(listening));
    spdlog::info("metrics: serving /metrics on port {}", exposition->port());
  }
  auto stop_exposition = defer_stop("metrics listener", [&exposition] { exposition.reset(); });

  int sig = 0;
  sigwait(&signals, &sig);
  status = exit_status::ok;
  spdlog::info("shutdown: {} received, draining calls for up to {} ms", strsignal(sig),
               cfg.shutdown_grace_ms);
  return status;
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
    return exit_status::bad_usage;
  }
  const auto& args = std::get<tt::node::parsed_args>(loaded);
  if (args.help) {
    std::fputs(tt::node::config_reference().c_str(), stdout);
    std::fputs(exit_status_help, stdout);
    return exit_status::ok;
  }
  const auto& cfg = args.config;
  auto logging = tt::node::setup_logging({cfg.log_level, cfg.log_format, cfg.log_buffer_level,
                                          static_cast<size_t>(cfg.log_buffer_lines),
                                          std::chrono::milliseconds{cfg.log_repeat_interval_ms}});
  // Before the first channel or server exists; gone again before the throttle it writes to.
  tt::adapters::rpc::core_log grpc_log{*logging.throttle};
  // The guards inside run() have stopped what started before a handler below runs.
  try {
    return run(cfg, logging, signals);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
  } catch (...) {
    spdlog::critical("fatal: an exception that is not a std::exception");
  }
  return exit_status::failed;
}
