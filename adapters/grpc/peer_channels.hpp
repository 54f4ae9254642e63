#pragma once
/// One long-lived gRPC channel per peer node, made on first use and kept for the node's life:
/// forwarded calls, relayed streams and SendMessage's fan-out to a peer all share it (HTTP/2
/// multiplexes them). Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>

namespace tt::adapters::rpc {

/// TLS to the peers: `root_ca` signed their certificates (checked against the address each
/// announces), and this node presents its own (its listener's), which a peer that asks for
/// client certificates verifies.
struct peer_tls {
  std::string root_ca;
  std::string certificate_chain;
  std::string private_key;
};

class peer_channels {
 public:
  /// Plaintext channels without `tls`.
  explicit peer_channels(std::optional<peer_tls> tls = std::nullopt);

  /// The stub over `address`'s channel (host:port).
  std::shared_ptr<grpc::GenericStub> stub(const std::string& address);

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<grpc::GenericStub>> stubs_; // under mutex_
};

} // namespace tt::adapters::rpc
