#pragma once
/// A unary call sent to every other live node of the cluster (SendMessage: a user's streams may
/// be open on any node). Each copy carries the forwarded mark, so a peer serves it with what it
/// holds itself and never passes it on. Implemented by the forwarding (forwarding.hpp); a node
/// on its own has none.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace tt::adapters::rpc {

/// One peer's answer: its status and, on OK, its response bytes and trailing metadata.
struct peer_answer {
  std::string address;
  grpc::Status status;
  grpc::ByteBuffer response;
  std::map<std::string, std::string> trailers;
};

class peer_fanout {
 public:
  virtual ~peer_fanout() = default;
  /// Sends `request` as the unary `method_path` to every other live node with `headers` and the
  /// forwarded mark, each within `budget`; `done` runs once, on a gRPC thread, with every peer's
  /// answer (an unreachable or late peer answers with its error status), at once when there is
  /// no peer.
  virtual void to_every_peer(const std::string& method_path, const grpc::ByteBuffer& request,
                             std::vector<std::pair<std::string, std::string>> headers,
                             std::chrono::milliseconds budget,
                             std::function<void(std::vector<peer_answer>)> done) = 0;
};

} // namespace tt::adapters::rpc
