#pragma once
/// A unary call sent to every other live node of the cluster (SendMessage: a user's streams may
/// be open on any node). Each copy carries the forwarded mark, so a peer serves it with what it
/// holds itself and never passes it on. Implemented by the forwarding (forwarding.hpp); a node
/// on its own has none.

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "actors/common/failure.hpp"
#include "adapters/grpc/call_router.hpp"

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

/// True when `call` is to be answered for the whole cluster: there are peers and the call was
/// not itself sent by one.
template <class Call>
bool answers_for_cluster(const peer_fanout* peers, const Call& call) {
  return peers != nullptr && call.header(forwarded_header).empty();
}

/// Sends `call`'s own request as `method_path` to every peer, with its trace id, within what is
/// left of its deadline; `done` as in to_every_peer. Fails `call` instead when its request cannot
/// be encoded.
template <class Call>
void ask_every_peer(peer_fanout& peers, const char* method_path, const std::shared_ptr<Call>& call,
                    std::function<void(std::vector<peer_answer>)> done) {
  using request_type = std::decay_t<decltype(call->request())>;
  grpc::ByteBuffer request;
  bool own_buffer = false;
  if (!grpc::SerializationTraits<request_type>::Serialize(call->request(), &request, &own_buffer)
           .ok()) {
    call->fail(fail(errc::internal, std::string{method_path} + ": the request could not be passed "
                                                               "on to the other nodes"));
    return;
  }
  auto budget = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(call->timeout()),
                         std::chrono::milliseconds{1});
  peers.to_every_peer(method_path, request, {{"x-trace-id", call->trace_id()}}, budget,
                      std::move(done));
}

/// UNAVAILABLE, with a retry hint, for an answer that needs every node when `address` did not
/// answer: `consequence` says what a partial answer would have got wrong.
inline failure peer_missing(const std::string& address, const std::string& consequence) {
  return fail(errc::unavailable,
              "node " + address + " did not answer, so " + consequence + "; retry shortly",
              {{"retry_after_ms", "retry after this many milliseconds", "1000"}});
}

} // namespace tt::adapters::rpc
