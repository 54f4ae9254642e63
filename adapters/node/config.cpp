#include "adapters/node/config.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace tt::node {

namespace {

struct setting {
  const char* key;
  const char* env;
  const char* help;
  /// Parses and stores the value; returns an error text or empty.
  std::function<std::string(node_config&, const std::string&)> set;
  std::function<std::string(const node_config&)> get;
};

std::function<std::string(node_config&, const std::string&)> integer(int64_t node_config::*field,
                                                                     int64_t min, int64_t max) {
  return [=](node_config& c, const std::string& v) -> std::string {
    int64_t parsed = 0;
    size_t used = 0;
    try {
      parsed = std::stoll(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != v.size())
      return "'" + v + "' is not an integer";
    if (parsed < min || parsed > max)
      return std::to_string(parsed) + " is outside [" + std::to_string(min) + ", " +
             std::to_string(max) + "]";
    c.*field = parsed;
    return {};
  };
}

std::function<std::string(node_config&, const std::string&)>
text(std::string node_config::*field, std::vector<std::string> allowed = {}) {
  return [=](node_config& c, const std::string& v) -> std::string {
    if (v.empty())
      return "must not be empty";
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      return "'" + v + "' is not one of: " + list;
    }
    c.*field = v;
    return {};
  };
}

std::function<std::string(node_config&, const std::string&)> flag(bool node_config::*field) {
  return [=](node_config& c, const std::string& v) -> std::string {
    if (v != "true" && v != "false")
      return "'" + v + "' is not true or false";
    c.*field = v == "true";
    return {};
  };
}

template <class T>
std::function<std::string(const node_config&)> show(T node_config::*field) {
  return [=](const node_config& c) {
    std::ostringstream os;
    os << std::boolalpha << c.*field;
    return os.str();
  };
}

const std::vector<setting>& settings() {
  static const std::vector<setting> table{
      {"node.id", "TT_NODE_ID", "this node's name in logs and health reports",
       text(&node_config::node_id), show(&node_config::node_id)},
      {"grpc.listen", "TT_GRPC_LISTEN", "host:port of the gRPC server (port 0: any free port)",
       text(&node_config::grpc_listen), show(&node_config::grpc_listen)},
      {"grpc.tls_cert_file", "TT_GRPC_TLS_CERT_FILE",
       "PEM certificate chain of the gRPC listener; set with grpc.tls_key_file, the port speaks "
       "TLS only (empty: plaintext)",
       text(&node_config::grpc_tls_cert_file), show(&node_config::grpc_tls_cert_file)},
      {"grpc.tls_key_file", "TT_GRPC_TLS_KEY_FILE", "PEM private key of grpc.tls_cert_file",
       text(&node_config::grpc_tls_key_file), show(&node_config::grpc_tls_key_file)},
      {"grpc.tls_client_ca_file", "TT_GRPC_TLS_CLIENT_CA_FILE",
       "with TLS: PEM CA certificates; every client must present a certificate they signed "
       "(empty: no client certificate asked)",
       text(&node_config::grpc_tls_client_ca_file), show(&node_config::grpc_tls_client_ca_file)},
      {"grpc.max_message_bytes", "TT_GRPC_MAX_MESSAGE_BYTES",
       "largest request or response accepted; larger ones get RESOURCE_EXHAUSTED",
       integer(&node_config::grpc_max_message_bytes, 1024, 64 << 20),
       show(&node_config::grpc_max_message_bytes)},
      {"grpc.default_timeout_ms", "TT_GRPC_DEFAULT_TIMEOUT_MS",
       "time budget of a call whose client set no deadline",
       integer(&node_config::grpc_default_timeout_ms, 1, 600000),
       show(&node_config::grpc_default_timeout_ms)},
      {"grpc.max_timeout_ms", "TT_GRPC_MAX_TIMEOUT_MS", "cap on any call's time budget",
       integer(&node_config::grpc_max_timeout_ms, 1, 600000),
       show(&node_config::grpc_max_timeout_ms)},
      {"http.listen", "TT_HTTP_LISTEN",
       "host:port of the HTTP/JSON gateway (port 0: any free port; 'off': no gateway)",
       text(&node_config::http_listen), show(&node_config::http_listen)},
      {"http.threads", "TT_HTTP_THREADS", "I/O threads serving every HTTP connection",
       integer(&node_config::http_threads, 1, 64), show(&node_config::http_threads)},
      {"http.max_connections", "TT_HTTP_MAX_CONNECTIONS",
       "open HTTP connections at most; past it a new one gets 503 and is closed",
       integer(&node_config::http_max_connections, 1, 1000000),
       show(&node_config::http_max_connections)},
      {"http.max_websockets", "TT_HTTP_MAX_WEBSOCKETS",
       "open WebSockets at most, not counted in http.max_connections; past it an upgrade gets 503",
       integer(&node_config::http_max_websockets, 1, 1000000),
       show(&node_config::http_max_websockets)},
      {"http.max_header_bytes", "TT_HTTP_MAX_HEADER_BYTES",
       "largest request header block (larger: 431)",
       integer(&node_config::http_max_header_bytes, 1024, 1 << 20),
       show(&node_config::http_max_header_bytes)},
      {"http.max_body_bytes", "TT_HTTP_MAX_BODY_BYTES", "largest request body (larger: 413)",
       integer(&node_config::http_max_body_bytes, 1024, 16 << 20),
       show(&node_config::http_max_body_bytes)},
      {"http.read_timeout_ms", "TT_HTTP_READ_TIMEOUT_MS",
       "a request must arrive whole within this once it started (and a reply be taken)",
       integer(&node_config::http_read_timeout_ms, 100, 600000),
       show(&node_config::http_read_timeout_ms)},
      {"http.idle_timeout_ms", "TT_HTTP_IDLE_TIMEOUT_MS",
       "a kept-alive connection with no request for this long is closed",
       integer(&node_config::http_idle_timeout_ms, 100, 3600000),
       show(&node_config::http_idle_timeout_ms)},
      {"http.cors_origins", "TT_HTTP_CORS_ORIGINS",
       "origins browsers may call the gateway from, comma-separated ('*': any; unset: none)",
       text(&node_config::http_cors_origins), show(&node_config::http_cors_origins)},
      {"http.rate_limit_per_second", "TT_HTTP_RATE_LIMIT_PER_SECOND",
       "HTTP requests a second per user (per IP without a token); 0: no limit",
       integer(&node_config::http_rate_limit_per_second, 0, 1000000),
       show(&node_config::http_rate_limit_per_second)},
      {"http.rate_limit_burst", "TT_HTTP_RATE_LIMIT_BURST",
       "requests a user may make at once before the per-second limit applies",
       integer(&node_config::http_rate_limit_burst, 1, 1000000),
       show(&node_config::http_rate_limit_burst)},
      {"http.token_ttl_seconds", "TT_HTTP_TOKEN_TTL_SECONDS",
       "lifetime of the tokens login and register issue (HS256 under auth.jwt_hs256_secret)",
       integer(&node_config::http_token_ttl_seconds, 60, 30 * 86400),
       show(&node_config::http_token_ttl_seconds)},
      {"shutdown.grace_ms", "TT_SHUTDOWN_GRACE_MS",
       "on SIGINT/SIGTERM, how long in-flight calls may finish before they are cancelled",
       integer(&node_config::shutdown_grace_ms, 0, 600000), show(&node_config::shutdown_grace_ms)},
      {"storage.data_dir", "TT_STORAGE_DATA_DIR", "directory holding the node's durable state",
       text(&node_config::data_dir), show(&node_config::data_dir)},
      {"storage.sync", "TT_STORAGE_SYNC",
       "when a write is durable: always (fsync per group), batch (fsync shared by the writes of "
       "storage.max_delay_us), none (OS page cache only: benchmarks that say so)",
       text(&node_config::storage_sync, {"always", "batch", "none"}),
       show(&node_config::storage_sync)},
      {"storage.max_delay_us", "TT_STORAGE_MAX_DELAY_US",
       "with storage.sync=batch: how long a group may wait for more writes to share its fsync",
       integer(&node_config::storage_max_delay_us, 0, 1000000),
       show(&node_config::storage_max_delay_us)},
      {"metrics.listen", "TT_METRICS_LISTEN",
       "host:port of the Prometheus text exposition, GET /metrics (port 0: any free port; "
       "'off': none; GetMetrics answers either way)",
       text(&node_config::metrics_listen), show(&node_config::metrics_listen)},
      {"metrics.enabled", "TT_METRICS_ENABLED",
       "false: RPC counts and latencies, event counts and the actors' figures (seats, waiting "
       "rooms) are not recorded (benchmarks of the metrics' cost); Kafka, storage and webhook "
       "figures are still collected",
       flag(&node_config::metrics_enabled), show(&node_config::metrics_enabled)},
      {"log.level", "TT_LOG_LEVEL",
       "trace, debug, info, warn, error (UpdateConfig changes it at run time, kept over restarts)",
       text(&node_config::log_level, {"trace", "debug", "info", "warn", "error"}),
       show(&node_config::log_level)},
      {"log.format", "TT_LOG_FORMAT", "text or json (one JSON object per line)",
       text(&node_config::log_format, {"text", "json"}), show(&node_config::log_format)},
      {"log.buffer_lines", "TT_LOG_BUFFER_LINES",
       "lines AdminService/GetLogs can search, kept in memory: the newest this many at info and "
       "above, and as many below info (each cut at 2 KiB)",
       integer(&node_config::log_buffer_lines, 1, 1000000), show(&node_config::log_buffer_lines)},
      {"log.buffer_level", "TT_LOG_BUFFER_LEVEL",
       "lowest level kept for GetLogs, and log.level when that is lower (debug keeps each "
       "failed call's line with its trace id)",
       text(&node_config::log_buffer_level, {"trace", "debug", "info", "warn", "error"}),
       show(&node_config::log_buffer_level)},
      {"log.repeat_interval_ms", "TT_LOG_REPEAT_INTERVAL_MS",
       "a repeated line (protobuf's own, refused admin calls) is written once per interval, "
       "then once more with the count of those left out",
       integer(&node_config::log_repeat_interval_ms, 100, 3600000),
       show(&node_config::log_repeat_interval_ms)},
      {"actors.threads", "TT_ACTORS_THREADS", "actor scheduler threads (0: one per core)",
       integer(&node_config::actor_threads, 0, 256), show(&node_config::actor_threads)},
      {"actors.scheduler", "TT_ACTORS_SCHEDULER",
       "sharing (one queue, idle workers sleep) or stealing (CAF's work stealing; idle workers "
       "poll each other first)",
       text(&node_config::actor_scheduler, {"sharing", "stealing"}),
       show(&node_config::actor_scheduler)},
      {"actors.passivate_after_seconds", "TT_ACTORS_PASSIVATE_AFTER_SECONDS",
       "a reservation past its hold, idle this long, stops its actor until its next request",
       integer(&node_config::passivate_after_seconds, 1, 86400),
       show(&node_config::passivate_after_seconds)},
      {"catalog.dir", "TT_CATALOG_DIR",
       "directory of event files (*.yaml, *.json) loaded at start and by REFRESH_CONFIG",
       text(&node_config::catalog_dir), show(&node_config::catalog_dir)},
      {"cluster.shards", "TT_CLUSTER_SHARDS",
       "shards event ids hash into; minted ids carry theirs (fixed for a cluster's life)",
       integer(&node_config::shards, 1, 4096), show(&node_config::shards)},
      {"cluster.enabled", "TT_CLUSTER_ENABLED",
       "true: one node of a clustered node set sharing kafka.bootstrap_servers (not embedded); "
       "the Kafka group decides which shards this node serves, any node answers any RPC",
       flag(&node_config::cluster_enabled), show(&node_config::cluster_enabled)},
      {"cluster.advertise", "TT_CLUSTER_ADVERTISE",
       "host:port where the other nodes reach this node's gRPC server (empty: grpc.listen, with "
       "the bound port when grpc.listen asks for port 0)",
       text(&node_config::cluster_advertise), show(&node_config::cluster_advertise)},
      {"cluster.group_id", "TT_CLUSTER_GROUP_ID",
       "the consumer group whose assignment is the shard ownership (one per cluster)",
       text(&node_config::cluster_group_id), show(&node_config::cluster_group_id)},
      {"cluster.shard_topic", "TT_CLUSTER_SHARD_TOPIC",
       "the changelog topic; its partitions are the shards (cluster.shards of them)",
       text(&node_config::cluster_shard_topic), show(&node_config::cluster_shard_topic)},
      {"cluster.members_topic", "TT_CLUSTER_MEMBERS_TOPIC",
       "where nodes announce their address and shards (one partition)",
       text(&node_config::cluster_members_topic), show(&node_config::cluster_members_topic)},
      {"cluster.session_timeout_ms", "TT_CLUSTER_SESSION_TIMEOUT_MS",
       "a silent node keeps its shards this long (a real Kafka accepts 6000 and up by default; "
       "tacos-broker any, and moves them after ~2x)",
       integer(&node_config::cluster_session_timeout_ms, 1000, 300000),
       show(&node_config::cluster_session_timeout_ms)},
      {"cluster.announce_interval_ms", "TT_CLUSTER_ANNOUNCE_INTERVAL_MS",
       "how often a node re-announces itself; peers forget it after 5 intervals of silence",
       integer(&node_config::cluster_announce_interval_ms, 100, 60000),
       show(&node_config::cluster_announce_interval_ms)},
      {"cluster.move_wait_ms", "TT_CLUSTER_MOVE_WAIT_MS",
       "how long a request for a shard that is moving (or restoring) waits for its new owner "
       "before UNAVAILABLE with a retry hint",
       integer(&node_config::cluster_move_wait_ms, 0, 60000),
       show(&node_config::cluster_move_wait_ms)},
      {"cluster.tls_peer_ca_file", "TT_CLUSTER_TLS_PEER_CA_FILE",
       "with TLS (grpc.tls_*) in a cluster: PEM CA certificates that signed the other nodes' "
       "certificates; a node forwards to its peers over TLS, presenting its own certificate",
       text(&node_config::cluster_tls_peer_ca_file), show(&node_config::cluster_tls_peer_ca_file)},
      {"cluster.snapshot_every_bytes", "TT_CLUSTER_SNAPSHOT_EVERY_BYTES",
       "a shard's owner writes a snapshot into its changelog after this many bytes of changes "
       "(a restore reads the latest snapshot and what follows it; tacos-broker keeps ~5 MiB a "
       "shard)",
       integer(&node_config::cluster_snapshot_every_bytes, 16384, int64_t{1} << 32),
       show(&node_config::cluster_snapshot_every_bytes)},
      {"reservation.hold_seconds", "TT_RESERVATION_HOLD_SECONDS",
       "how long a hold lasts (UpdateConfig changes it for new holds, kept over restarts)",
       integer(&node_config::hold_seconds, 1, 3600), show(&node_config::hold_seconds)},
      {"reservation.max_extension_seconds", "TT_RESERVATION_MAX_EXTENSION_SECONDS",
       "the most one ExtendHold adds", integer(&node_config::max_extension_seconds, 0, 3600),
       show(&node_config::max_extension_seconds)},
      {"reservation.max_hold_lifetime_seconds", "TT_RESERVATION_MAX_HOLD_LIFETIME_SECONDS",
       "no hold outlives its creation by more than this, however extended",
       integer(&node_config::max_hold_lifetime_seconds, 1, 7200),
       show(&node_config::max_hold_lifetime_seconds)},
      {"reservation.max_seats", "TT_RESERVATION_MAX_SEATS", "seats per reservation (1..this)",
       integer(&node_config::max_seats_per_reservation, 1, 100),
       show(&node_config::max_seats_per_reservation)},
      {"idempotency.ttl_seconds", "TT_IDEMPOTENCY_TTL_SECONDS",
       "how long a write's idempotency key and reply are kept",
       integer(&node_config::idempotency_ttl_seconds, 1, 86400),
       show(&node_config::idempotency_ttl_seconds)},
      {"payment.settle_delay_ms", "TT_PAYMENT_SETTLE_DELAY_MS",
       "simulated payments: APPROVE, FAIL and RANDOM settle this long after ProcessPayment",
       integer(&node_config::payment_settle_delay_ms, 0, 600000),
       show(&node_config::payment_settle_delay_ms)},
      {"payment.long_delay_ms", "TT_PAYMENT_LONG_DELAY_MS",
       "simulated payments: DELAY completes this long after ProcessPayment (may outlive the hold)",
       integer(&node_config::payment_long_delay_ms, 0, 3600000),
       show(&node_config::payment_long_delay_ms)},
      {"payment.random_approve_percent", "TT_PAYMENT_RANDOM_APPROVE_PERCENT",
       "simulated payments: how often RANDOM approves, in percent",
       integer(&node_config::payment_random_approve_percent, 0, 100),
       show(&node_config::payment_random_approve_percent)},
      {"payment.intent_ttl_seconds", "TT_PAYMENT_INTENT_TTL_SECONDS",
       "a payment intent not completed within this expires (TIMEOUT always does)",
       integer(&node_config::payment_intent_ttl_seconds, 1, 86400),
       show(&node_config::payment_intent_ttl_seconds)},
      {"reservation.expiry_backstop_ms", "TT_RESERVATION_EXPIRY_BACKSTOP_MS",
       "the worker ends holds from the expiry topic at their deadline; the event's backstop ends "
       "a hold this much later if the worker has not (broker down)",
       integer(&node_config::expiry_backstop_ms, 0, 600000),
       show(&node_config::expiry_backstop_ms)},
      {"webhook.signing_secret", "TT_WEBHOOK_SIGNING_SECRET",
       "HMAC key of outgoing webhooks and of incoming ones without a registered source; "
       "'generated' picks a random one per start",
       text(&node_config::webhook_signing_secret), show(&node_config::webhook_signing_secret)},
      {"kafka.bootstrap_servers", "TT_KAFKA_BOOTSTRAP_SERVERS",
       "Kafka cluster (host:port,...); 'embedded' starts librdkafka's mock cluster in the node",
       text(&node_config::kafka_bootstrap_servers), show(&node_config::kafka_bootstrap_servers)},
      {"kafka.group_id", "TT_KAFKA_GROUP_ID",
       "the worker's consumer group (nodes sharing a cluster share its partitions)",
       text(&node_config::kafka_group_id), show(&node_config::kafka_group_id)},
      {"kafka.topic.lifecycle", "TT_KAFKA_TOPIC_LIFECYCLE",
       "reservation lifecycle events (created, confirmed, cancelled, expired, failed, refunded)",
       text(&node_config::kafka_topic_lifecycle), show(&node_config::kafka_topic_lifecycle)},
      {"kafka.topic.payment", "TT_KAFKA_TOPIC_PAYMENT", "payment intent status changes",
       text(&node_config::kafka_topic_payment), show(&node_config::kafka_topic_payment)},
      {"kafka.topic.expiry", "TT_KAFKA_TOPIC_EXPIRY", "hold deadlines, for the worker",
       text(&node_config::kafka_topic_expiry), show(&node_config::kafka_topic_expiry)},
      {"kafka.topic.dead_letter", "TT_KAFKA_TOPIC_DEAD_LETTER",
       "events the worker gave up on (header 'reason' says why)",
       text(&node_config::kafka_topic_dead_letter), show(&node_config::kafka_topic_dead_letter)},
      {"kafka.embedded_partitions", "TT_KAFKA_EMBEDDED_PARTITIONS",
       "partitions per topic of the embedded cluster",
       integer(&node_config::kafka_embedded_partitions, 1, 64),
       show(&node_config::kafka_embedded_partitions)},
      {"kafka.max_attempts", "TT_KAFKA_MAX_ATTEMPTS",
       "tries of a failing event before it goes to the dead-letter topic",
       integer(&node_config::kafka_max_attempts, 1, 100), show(&node_config::kafka_max_attempts)},
      {"kafka.retry_backoff_ms", "TT_KAFKA_RETRY_BACKOFF_MS",
       "first retry delay of a failing event (doubles each time)",
       integer(&node_config::kafka_retry_backoff_ms, 1, 60000),
       show(&node_config::kafka_retry_backoff_ms)},
      {"queue.secret", "TT_QUEUE_SECRET",
       "HMAC key of reservation tokens, at least 32 bytes (every node of a cluster needs the "
       "same); empty: a random one per start",
       text(&node_config::queue_secret), show(&node_config::queue_secret)},
      {"queue.admissions_per_second", "TT_QUEUE_ADMISSIONS_PER_SECOND",
       "waiting rooms: users let in per second (an event's catalog block may override it)",
       integer(&node_config::queue_admissions_per_second, 1, 100000),
       show(&node_config::queue_admissions_per_second)},
      {"queue.max_active", "TT_QUEUE_MAX_ACTIVE",
       "waiting rooms: most users admitted and not finished at once (catalog may override)",
       integer(&node_config::queue_max_active, 1, 1000000), show(&node_config::queue_max_active)},
      {"queue.token_ttl_seconds", "TT_QUEUE_TOKEN_TTL_SECONDS",
       "how long a reservation token (RequestAdmission) stays valid",
       integer(&node_config::queue_token_ttl_seconds, 1, 3600),
       show(&node_config::queue_token_ttl_seconds)},
      {"queue.idle_timeout_seconds", "TT_QUEUE_IDLE_TIMEOUT_SECONDS",
       "a waiting entry not polled for this long leaves the queue",
       integer(&node_config::queue_idle_timeout_seconds, 1, 86400),
       show(&node_config::queue_idle_timeout_seconds)},
      {"queue.tick_ms", "TT_QUEUE_TICK_MS",
       "how often each waiting room admits the next users and expires idle ones",
       integer(&node_config::queue_tick_ms, 1, 10000), show(&node_config::queue_tick_ms)},
      {"streams.expiring_soon_seconds", "TT_STREAMS_EXPIRING_SOON_SECONDS",
       "StreamReservationUpdates: EXPIRING_SOON this long before a hold ends, if still held "
       "(0: never)",
       integer(&node_config::streams_expiring_soon_seconds, 0, 3600),
       show(&node_config::streams_expiring_soon_seconds)},
      {"streams.max_pending_updates", "TT_STREAMS_MAX_PENDING_UPDATES",
       "reservation and payment streams: updates a slow reader may fall behind before its "
       "stream ends with RESOURCE_EXHAUSTED",
       integer(&node_config::streams_max_pending_updates, 1, 4096),
       show(&node_config::streams_max_pending_updates)},
      {"auth.jwt_hs256_secret", "TT_AUTH_JWT_HS256_SECRET",
       "ValidateToken: HS256 key (empty: HS256 tokens are refused); also signs the HTTP "
       "gateway's login tokens (empty: a random key per start)",
       text(&node_config::jwt_hs256_secret), show(&node_config::jwt_hs256_secret)},
      {"auth.jwt_rs256_public_key_file", "TT_AUTH_JWT_RS256_PUBLIC_KEY_FILE",
       "ValidateToken: PEM file of the RS256 public key (empty: RS256 tokens are refused)",
       text(&node_config::jwt_rs256_public_key_file),
       show(&node_config::jwt_rs256_public_key_file)},
      {"auth.jwt_issuer", "TT_AUTH_JWT_ISSUER",
       "ValidateToken: required iss (empty: any); also the iss of the HTTP gateway's tokens "
       "(empty: traffic-tacos)",
       text(&node_config::jwt_issuer), show(&node_config::jwt_issuer)},
      {"auth.jwt_audience", "TT_AUTH_JWT_AUDIENCE",
       "ValidateToken: required aud (empty: any); also the aud of the HTTP gateway's tokens "
       "(empty: traffic-tacos-api)",
       text(&node_config::jwt_audience), show(&node_config::jwt_audience)},
      {"auth.admin_role", "TT_AUTH_ADMIN_ROLE",
       "role (JWT roles/role claim) every AdminService call and WorkerService's operator calls "
       "need, with a bearer token the auth.jwt_* keys verify (empty: those calls are open to "
       "anyone reaching the port, warned at start)",
       text(&node_config::admin_role), show(&node_config::admin_role)},
      {"testing.unsafe_ack_holds_before_apply", "TT_TESTING_UNSAFE_ACK_HOLDS_BEFORE_APPLY",
       "NEGATIVE CONTROL ONLY: acknowledge holds before applying them, which oversells",
       flag(&node_config::unsafe_ack_holds_before_apply),
       show(&node_config::unsafe_ack_holds_before_apply)},
      {"testing.unsafe_skip_persistence", "TT_TESTING_UNSAFE_SKIP_PERSISTENCE",
       "NEGATIVE CONTROL ONLY: acknowledge writes without storing them, so a crash loses them",
       flag(&node_config::unsafe_skip_persistence), show(&node_config::unsafe_skip_persistence)},
      {"testing.unsafe_skip_fence", "TT_TESTING_UNSAFE_SKIP_FENCE",
       "negative control only: a clustered node acknowledges changelog writes without the "
       "group's fence and keeps serving shards the group gave to another node, so a stale owner "
       "acknowledges writes for shards it lost",
       flag(&node_config::unsafe_skip_fence), show(&node_config::unsafe_skip_fence)},
      {"testing.unsafe_skip_admission_check", "TT_TESTING_UNSAFE_SKIP_ADMISSION_CHECK",
       "NEGATIVE CONTROL ONLY: let holds on queued events through without a reservation token",
       flag(&node_config::unsafe_skip_admission_check),
       show(&node_config::unsafe_skip_admission_check)},
  };
  return table;
}

const setting* find(const std::string& key) {
  for (const auto& s : settings())
    if (key == s.key)
      return &s;
  return nullptr;
}

std::string apply(node_config& c, const std::string& key, const std::string& value,
                  const std::string& source) {
  const auto* s = find(key);
  if (s == nullptr)
    return source + ": unknown setting '" + key + "' (see --help)";
  if (auto err = s->set(c, value); !err.empty())
    return source + ": " + key + ": " + err;
  return {};
}

// Flattens nested YAML maps into dotted keys: {grpc: {listen: x}} -> grpc.listen = x.
std::string apply_yaml(node_config& c, const YAML::Node& node, const std::string& prefix,
                       const std::string& file) {
  if (!node.IsMap())
    return file + ": expected a mapping at '" + (prefix.empty() ? "top level" : prefix) + "'";
  for (const auto& kv : node) {
    auto key =
        prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    std::string err;
    if (kv.second.IsMap())
      err = apply_yaml(c, kv.second, key, file);
    else if (kv.second.IsScalar())
      err = apply(c, key, kv.second.as<std::string>(), file);
    else
      err = file + ": " + key + ": expected a single value";
    if (!err.empty())
      return err;
  }
  return {};
}

} // namespace

std::variant<parsed_args, std::string> load_config(const std::vector<std::string>& args,
                                                   char** environ_vars) {
  parsed_args out;
  // Flags: --key=value or --key value; --config FILE is read first, whatever its position.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      return out;
    }
    if (a.rfind("--", 0) != 0)
      return "unexpected argument '" + a + "' (see --help)";
    auto eq = a.find('=');
    std::string key = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value;
    if (eq != std::string::npos)
      value = a.substr(eq + 1);
    else if (i + 1 < args.size())
      value = args[++i];
    else
      return "flag --" + key + " needs a value";
    if (key == "config")
      config_file = value;
    else
      flags.emplace_back(key, value);
  }
  if (!config_file.empty()) {
    try {
      if (auto err = apply_yaml(out.config, YAML::LoadFile(config_file), "", config_file);
          !err.empty())
        return err;
    } catch (const YAML::Exception& e) {
      return "cannot read config file " + config_file + ": " + e.what();
    }
  }
  for (char** e = environ_vars; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (entry.rfind("TT_", 0) != 0 || eq == std::string::npos)
      continue;
    auto name = entry.substr(0, eq);
    for (const auto& s : settings())
      if (name == s.env)
        if (auto err = apply(out.config, s.key, entry.substr(eq + 1), "environment " + name);
            !err.empty())
          return err;
  }
  for (const auto& [key, value] : flags)
    if (auto err = apply(out.config, key, value, "flag --" + key); !err.empty())
      return err;
  return out;
}

std::set<std::string> setting_keys() {
  std::set<std::string> out;
  for (const auto& s : settings())
    out.insert(s.key);
  return out;
}

std::string set_setting(node_config& config, const std::string& key, const std::string& value) {
  const auto* s = find(key);
  if (s == nullptr)
    return "unknown setting '" + key + "'";
  return s->set(config, value);
}

std::string setting_value(const node_config& config, const std::string& key) {
  const auto* s = find(key);
  return s == nullptr ? std::string{} : s->get(config);
}

std::string config_reference() {
  node_config defaults;
  std::ostringstream os;
  os << "usage: tacosd [--config FILE] [--KEY=VALUE ...]\n"
        "settings (file key / environment variable / default):\n";
  for (const auto& s : settings())
    os << "  " << s.key << "  " << s.env << "  [" << s.get(defaults) << "]\n      " << s.help
       << "\n";
  return os.str();
}

} // namespace tt::node
