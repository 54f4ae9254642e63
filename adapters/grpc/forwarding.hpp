#pragma once
/// The cluster's one-hop forwarding (a call_router). A call whose request names a shard (its
/// event id, or the shard a minted reservation, payment-intent, waiting-token, hold or order id
/// carries, the first of those fields that is set; UpdateConfig "catalog.event": the id in the
/// definition it carries) is served here when this node serves the shard, and otherwise sent to
/// the shard's owner over a long-lived channel per peer (peer_channels.hpp): the same contract
/// method and bytes, the caller's metadata, deadline and trace id, and a mark that it was
/// forwarded, so that it is never forwarded again. A unary call gets the owner's answer (status,
/// error details, response) unchanged; a server stream is relayed (stream_relay.hpp): every
/// message through the client stream's bounded buffer, then the owner's final status. Routed
/// streams stay under a stream_watch: one whose shard moves ends UNAVAILABLE with a retry hint.
///
/// While a shard has no owner that can serve it (moving between nodes, restoring), its calls and
/// streams wait in a bounded buffer, for at most cluster.move_wait_ms and their own deadline,
/// then get UNAVAILABLE with a retry hint. A forwarded call that reaches a node not serving the
/// shard waits the same way, then gets UNAVAILABLE: never a wrong answer from a node without the
/// state. Calls that name no shard (health, admin, listings by user) are served here.
///
/// Also the node's peer_fanout: SendMessage's copy to every other live node.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/grpc/call_router.hpp"
#include "adapters/grpc/peer_channels.hpp"
#include "adapters/grpc/peer_fanout.hpp"
#include "adapters/grpc/shard_directory.hpp"
#include "adapters/grpc/stream_watch.hpp"

namespace tt::adapters::rpc {

struct forwarding_settings {
  std::string node_id;
  std::chrono::milliseconds move_wait{5000};
  /// Calls waiting for a moving shard, at most; more are refused at once.
  size_t max_waiting = 10'000;
  /// How to reach the peers: TLS when the listener speaks it, else plaintext.
  std::optional<peer_tls> tls;
};

class forwarding final : public call_router, public peer_fanout {
 public:
  forwarding(const shard_directory& directory, forwarding_settings settings);
  forwarding(const forwarding&) = delete;
  forwarding& operator=(const forwarding&) = delete;
  /// Refuses the calls still waiting (UNAVAILABLE); calls in flight to peers finish on their own.
  ~forwarding() override;

  void route(const std::string& method_path, const google::protobuf::Message& request,
             grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
             routed_call call) override;
  void route_stream(const std::string& method_path, const google::protobuf::Message& request,
                    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                    routed_stream stream) override;

  void to_every_peer(const std::string& method_path, const grpc::ByteBuffer& request,
                     std::vector<std::pair<std::string, std::string>> headers,
                     std::chrono::milliseconds budget,
                     std::function<void(std::vector<peer_answer>)> done) override;

  /// The shard `request` names, if any (public for tests).
  std::optional<uint32_t> shard_of_request(const google::protobuf::Message& request) const;

 private:
  /// A call or stream that names a shard, until it is served here, sent to the owner, or
  /// refused.
  struct waiting {
    uint32_t shard = 0;
    bool was_forwarded = false;
    std::function<void()> serve_here;
    std::function<void(const std::string& address)> send_to;
    std::function<void(const failure&)> reject;
    /// A stream the client left while it waited: dropped (a unary call waits for its end).
    std::function<bool()> abandoned;
    std::chrono::steady_clock::time_point give_up_at;
  };
  /// Serves, forwards or queues `w`.
  void place(waiting w, std::chrono::milliseconds budget);
  /// Serves or forwards; true when the call was ended.
  bool try_place(waiting& w);
  void forward(const std::string& address, const std::string& path,
               grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
               const routed_call& call);
  void run_waiting();

  const shard_directory& directory_;
  forwarding_settings settings_;
  peer_channels peers_;
  stream_watch streams_;
  std::mutex waiting_mutex_;
  std::condition_variable wake_;
  std::deque<waiting> waiting_; // under waiting_mutex_
  bool stopping_ = false;       // under waiting_mutex_
  std::thread waiter_;
};

} // namespace tt::adapters::rpc
