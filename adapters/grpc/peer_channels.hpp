#pragma once
/// One long-lived gRPC channel per peer node, made on first use and kept for the node's life:
/// forwarded calls, relayed streams and SendMessage's fan-out to a peer all share it (HTTP/2
/// multiplexes them). Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/generic/generic_stub.h>

namespace tt::adapters::rpc {

class peer_channels {
 public:
  /// The stub over `address`'s channel (host:port).
  std::shared_ptr<grpc::GenericStub> stub(const std::string& address);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<grpc::GenericStub>> stubs_; // under mutex_
};

} // namespace tt::adapters::rpc
