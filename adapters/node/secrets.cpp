#include "adapters/node/secrets.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/domain/admission_token.hpp"

namespace tt::node {

namespace {

/// `chars` random lower-case hex digits: the keys the node makes up when none is configured.
std::string random_hex(size_t chars) {
  std::random_device random;
  std::string out;
  for (size_t i = 0; i < chars; ++i)
    out.push_back("0123456789abcdef"[random() % 16]);
  return out;
}

/// The whole of `path`; nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in)
    return std::nullopt;
  return text.str();
}

} // namespace

std::string webhook_secret_of(const node_config& cfg) {
  if (cfg.webhook_signing_secret != "generated")
    return cfg.webhook_signing_secret;
  auto secret = random_hex(32);
  spdlog::warn("webhooks: webhook.signing_secret not set; signing with a random secret for this "
               "run (receivers cannot verify across restarts)");
  return secret;
}

result<std::string> queue_secret_of(const node_config& cfg) {
  if (cfg.queue_secret.empty())
    return random_hex(2 * domain::min_admission_secret_length);
  if (cfg.queue_secret.size() < domain::min_admission_secret_length)
    return fail(errc::invalid_argument,
                fmt::format("queue.secret: {} bytes; a reservation-token key needs at least {}",
                            cfg.queue_secret.size(), domain::min_admission_secret_length));
  return cfg.queue_secret;
}

result<std::string> http_token_secret_of(const node_config& cfg) {
  if (!cfg.jwt_hs256_secret.empty())
    return cfg.jwt_hs256_secret;
  if (cfg.cluster_enabled)
    return fail(errc::invalid_argument,
                "auth.jwt_hs256_secret must be set in a cluster, the same on every node: a "
                "login token one node issues is verified by the others (or http.listen = off)");
  spdlog::warn("http: auth.jwt_hs256_secret not set; login tokens are signed with a random key "
               "for this run (they stop working when the node restarts)");
  return random_hex(64);
}

std::variant<std::optional<adapters::auth::jwt_verifier>, std::string>
jwt_of(const node_config& cfg) {
  adapters::auth::jwt_config jwt;
  jwt.hs256_secret = cfg.jwt_hs256_secret;
  jwt.issuer = cfg.jwt_issuer;
  jwt.audience = cfg.jwt_audience;
  if (!cfg.jwt_rs256_public_key_file.empty()) {
    auto pem = read_file(cfg.jwt_rs256_public_key_file);
    if (!pem)
      return "auth.jwt_rs256_public_key_file: cannot read " + cfg.jwt_rs256_public_key_file;
    jwt.rs256_public_key_pem = std::move(*pem);
  }
  if (jwt.hs256_secret.empty() && jwt.rs256_public_key_pem.empty())
    return std::optional<adapters::auth::jwt_verifier>{};
  auto verifier = adapters::auth::jwt_verifier::create(std::move(jwt));
  if (!verifier)
    return "auth: " + verifier.error().message;
  return std::optional<adapters::auth::jwt_verifier>{std::move(*verifier)};
}

std::variant<adapters::rpc::tls_options, std::string> tls_of(const node_config& cfg) {
  adapters::rpc::tls_options tls;
  if (cfg.grpc_tls_cert_file.empty() != cfg.grpc_tls_key_file.empty())
    return std::string{"grpc.tls_cert_file and grpc.tls_key_file go together: set both or neither"};
  if (cfg.grpc_tls_cert_file.empty()) {
    if (!cfg.grpc_tls_client_ca_file.empty())
      return std::string{
          "grpc.tls_client_ca_file needs TLS (grpc.tls_cert_file, grpc.tls_key_file)"};
    return tls;
  }
  std::pair<const std::string*, std::string*> files[] = {
      {&cfg.grpc_tls_cert_file, &tls.certificate_chain},
      {&cfg.grpc_tls_key_file, &tls.private_key},
      {&cfg.grpc_tls_client_ca_file, &tls.client_ca}};
  for (auto [path, out] : files) {
    if (path->empty())
      continue;
    auto text = read_file(*path);
    if (!text || text->find("-----BEGIN ") == std::string::npos)
      return "cannot read a PEM file from " + *path;
    *out = std::move(*text);
  }
  return tls;
}

std::variant<std::optional<adapters::rpc::peer_tls>, std::string>
peer_tls_of(const node_config& cfg, const adapters::rpc::tls_options& tls) {
  const auto& path = cfg.cluster_tls_peer_ca_file;
  if (tls.certificate_chain.empty()) {
    if (!path.empty())
      return std::string{"cluster.tls_peer_ca_file needs TLS (grpc.tls_cert_file, "
                         "grpc.tls_key_file)"};
    return std::nullopt;
  }
  if (!cfg.cluster_enabled) // a node on its own has no peers
    return std::nullopt;
  if (path.empty())
    return std::string{"TLS (grpc.tls_*) in a cluster needs cluster.tls_peer_ca_file: the CA "
                       "that signed the other nodes' certificates, to forward calls to them"};
  auto root = read_file(path);
  if (!root || root->find("-----BEGIN ") == std::string::npos)
    return "cannot read a PEM file from " + path;
  return adapters::rpc::peer_tls{std::move(*root), tls.certificate_chain, tls.private_key};
}

} // namespace tt::node
