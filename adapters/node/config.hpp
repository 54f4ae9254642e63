#pragma once
/// The node's configuration. Every setting has a default, and may be set in the YAML file
/// (`grpc.listen: ...`), the environment (TT_GRPC_LISTEN) or a flag (--grpc.listen=...); later
/// sources win in that order. One table (config.cpp) defines them all, and `--help` prints it.

#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace tt::node {

struct node_config {
  std::string node_id = "node-1";
  std::string grpc_listen = "localhost:8080";
  /// TLS of the gRPC listener (issue #31); no certificate: plaintext.
  std::string grpc_tls_cert_file;
  std::string grpc_tls_key_file;
  std::string grpc_tls_client_ca_file;
  int64_t grpc_max_message_bytes = 1 << 20;
  int64_t grpc_default_timeout_ms = 5000;
  int64_t grpc_max_timeout_ms = 30000;
  int64_t shutdown_grace_ms = 5000;
  /// The HTTP/JSON gateway (issue #28); "off": none.
  std::string http_listen = "localhost:8000";
  int64_t http_threads = 1;
  int64_t http_max_connections = 10000;
  int64_t http_max_websockets = 20000;
  int64_t http_max_header_bytes = 8192;
  int64_t http_max_body_bytes = 65536;
  int64_t http_read_timeout_ms = 10000;
  int64_t http_idle_timeout_ms = 60000;
  std::string http_cors_origins;
  int64_t http_rate_limit_per_second = 20;
  int64_t http_rate_limit_burst = 40;
  int64_t http_token_ttl_seconds = 86400;
  std::string data_dir = "./data";
  std::string storage_sync = "batch";
  int64_t storage_max_delay_us = 200;
  /// The Prometheus listener (issue #31); "off": none.
  std::string metrics_listen = "off";
  bool metrics_enabled = true;
  std::string log_level = "info";
  std::string log_format = "text";
  /// The in-memory buffer GetLogs reads (issue #31).
  int64_t log_buffer_lines = 10000;
  std::string log_buffer_level = "debug";
  int64_t log_repeat_interval_ms = 10000;
  int64_t actor_threads = 0; // 0: one per core
  std::string actor_scheduler = "sharing";
  int64_t passivate_after_seconds = 120;
  std::string catalog_dir = "ops/catalog";
  int64_t shards = 64;
  /// The clustered node set (issue #30); off: one node, as on embedded defaults.
  bool cluster_enabled = false;
  std::string cluster_advertise;
  std::string cluster_group_id = "tt-shards";
  std::string cluster_shard_topic = "tt.shards";
  std::string cluster_members_topic = "tt.members";
  int64_t cluster_session_timeout_ms = 6000;
  int64_t cluster_announce_interval_ms = 1000;
  int64_t cluster_move_wait_ms = 5000;
  std::string cluster_tls_peer_ca_file;
  int64_t cluster_snapshot_every_bytes = 1 << 20;
  int64_t hold_seconds = 60;
  int64_t max_extension_seconds = 30;
  int64_t max_hold_lifetime_seconds = 90;
  int64_t max_seats_per_reservation = 10;
  int64_t idempotency_ttl_seconds = 300;
  int64_t payment_settle_delay_ms = 500;
  int64_t payment_long_delay_ms = 90000;
  int64_t payment_random_approve_percent = 50;
  int64_t payment_intent_ttl_seconds = 600;
  /// "embedded": start librdkafka's mock cluster in the node; else a bootstrap.servers list.
  std::string kafka_bootstrap_servers = "embedded";
  std::string kafka_group_id = "tt-worker";
  std::string kafka_topic_lifecycle = "tt.reservation.lifecycle";
  std::string kafka_topic_payment = "tt.payment.results";
  std::string kafka_topic_expiry = "tt.hold.expiry";
  std::string kafka_topic_dead_letter = "tt.dead-letters";
  int64_t kafka_embedded_partitions = 2;
  int64_t kafka_max_attempts = 5;
  int64_t kafka_retry_backoff_ms = 100;
  int64_t expiry_backstop_ms = 2000;
  /// "generated": a random secret for this run.
  std::string webhook_signing_secret = "generated";
  /// Waiting rooms (issue #5). An empty secret: a random one per start.
  std::string queue_secret;
  int64_t queue_admissions_per_second = 10;
  int64_t queue_max_active = 100;
  int64_t queue_token_ttl_seconds = 30;
  int64_t queue_idle_timeout_seconds = 300;
  int64_t queue_tick_ms = 100;
  /// User streams (issue #5): EXPIRING_SOON lead time (0: none) and each stream's backlog.
  int64_t streams_expiring_soon_seconds = 10;
  int64_t streams_max_pending_updates = 64;
  /// GatewayService/ValidateToken.
  std::string jwt_hs256_secret;
  std::string jwt_rs256_public_key_file;
  std::string jwt_issuer;
  std::string jwt_audience;
  /// The role operator calls need (issue #31); empty: they are open.
  std::string admin_role;
  /// Negative controls only: see actors::unsafe_switches.
  bool unsafe_ack_holds_before_apply = false;
  bool unsafe_skip_persistence = false;
  bool unsafe_skip_admission_check = false;
  bool unsafe_skip_fence = false;
};

/// What the command line asked for.
struct parsed_args {
  node_config config;
  bool help = false;
};

/// Builds the configuration from defaults, `--config FILE` (if given), the environment and the
/// flags. Returns the error text on an unknown key, a malformed value or an unreadable file.
std::variant<parsed_args, std::string> load_config(const std::vector<std::string>& args,
                                                   char** environ_vars);

/// Every setting's key. UpdateConfig names those it does not change at run time
/// (runtime_settings.hpp) as needing a restart.
std::set<std::string> setting_keys();

/// Sets `key` to `value` in `config` by the table's rules (the same bounds as at start). Returns
/// the error text (unknown key, malformed or out of bounds), empty when set.
std::string set_setting(node_config& config, const std::string& key, const std::string& value);

/// `key`'s value in `config` as the table writes it; empty for an unknown key.
std::string setting_value(const node_config& config, const std::string& key);

/// The settings table as text: key, environment variable, default, meaning.
std::string config_reference();

} // namespace tt::node
