#pragma once
/// The keys the node signs and verifies with, from its configuration: the webhook signing secret,
/// the waiting rooms' reservation-token key, the ValidateToken verifier and the gRPC listener's
/// TLS certificate. A signing key left unset is made up for this run.

#include <optional>
#include <string>
#include <variant>

#include "actors/common/result.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/grpc/peer_channels.hpp"
#include "adapters/grpc/server.hpp"
#include "adapters/node/config.hpp"

namespace tt::node {

/// webhook.signing_secret, or a random one for this run (with a warning: receivers cannot verify
/// across restarts).
std::string webhook_secret_of(const node_config& cfg);

/// queue.secret, or a random one when unset (tokens then die with the node, as its rooms do);
/// the failure when set but too short to be a safe HMAC key.
result<std::string> queue_secret_of(const node_config& cfg);

/// The key the HTTP gateway signs its login tokens with: auth.jwt_hs256_secret, or a random one
/// for this run (tokens then die with the node). In a cluster the key must be set (the same on
/// every node: a token one node issues, the others verify), else the failure. Only for a node
/// whose gateway runs.
result<std::string> http_token_secret_of(const node_config& cfg);

/// The ValidateToken verifier from auth.*, or why it cannot be built; nullopt with no key set
/// (ValidateToken then answers UNAVAILABLE).
std::variant<std::optional<adapters::auth::jwt_verifier>, std::string>
jwt_of(const node_config& cfg);

/// The listener's TLS files (grpc.tls_*) read, or why not: a file unreadable, a key without its
/// certificate (or the reverse), a client CA without TLS. Empty options: plaintext.
std::variant<adapters::rpc::tls_options, std::string> tls_of(const node_config& cfg);

/// How a clustered node reaches its peers with the listener's `tls`: plaintext (nullopt) when
/// the listener is plaintext (or the node on its own), else TLS trusting cluster.tls_peer_ca_file;
/// or why not (TLS without the peers' CA, the CA without TLS or unreadable).
std::variant<std::optional<adapters::rpc::peer_tls>, std::string>
peer_tls_of(const node_config& cfg, const adapters::rpc::tls_options& tls);

} // namespace tt::node
