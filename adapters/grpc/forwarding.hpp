#pragma once
/// The cluster's one-hop forwarding (a call_router). A unary call whose request names a shard
/// (its event id, or the shard a minted reservation, payment-intent, waiting-token, hold or order
/// id carries, the first of those fields that is set; UpdateConfig "catalog.event": the id in the
/// definition it carries) is served here when this node serves the
/// shard, and otherwise sent to the shard's owner over a long-lived channel per peer: the same
/// contract method and bytes, the caller's metadata, deadline and trace id, and a mark that it
/// was forwarded, so that it is never forwarded again. The owner's answer (status, error details,
/// response) is relayed unchanged.
///
/// While a shard has no owner that can serve it (moving between nodes, restoring), its calls wait
/// in a bounded buffer, for at most cluster.move_wait_ms and their own deadline, then get
/// UNAVAILABLE with a retry hint. A forwarded call that reaches a node not serving the shard
/// waits the same way, then gets UNAVAILABLE: never a wrong answer from a node without the state.
/// Calls that name no shard (health, admin, listings by user) are served here.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "adapters/grpc/call_router.hpp"

namespace tt::adapters::rpc {

/// Where the cluster serves a shard right now (implemented by the cluster adapter).
class shard_directory {
 public:
  struct placement {
    enum class where : uint8_t { here, there, moving } at = where::moving;
    std::string address; // there: the owner's gRPC address
  };
  virtual ~shard_directory() = default;
  virtual uint32_t shard_count() const = 0;
  virtual placement place(uint32_t shard) const = 0;
};

/// The metadata key that marks a forwarded call (its value: the forwarding node's id).
inline constexpr const char* forwarded_header = "x-tt-forwarded";

struct forwarding_settings {
  std::string node_id;
  std::chrono::milliseconds move_wait{5000};
  /// Calls waiting for a moving shard, at most; more are refused at once.
  size_t max_waiting = 10'000;
};

class forwarding final : public call_router {
 public:
  forwarding(const shard_directory& directory, forwarding_settings settings);
  forwarding(const forwarding&) = delete;
  forwarding& operator=(const forwarding&) = delete;
  /// Refuses the calls still waiting (UNAVAILABLE); calls in flight to peers finish on their own.
  ~forwarding() override;

  void route(const std::string& method_path, const google::protobuf::Message& request,
             grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
             routed_call call) override;

  /// The shard `request` names, if any (public for tests).
  std::optional<uint32_t> shard_of_request(const google::protobuf::Message& request) const;

 private:
  struct waiting {
    uint32_t shard = 0;
    bool was_forwarded = false;
    std::string path;
    grpc::CallbackServerContext* ctx = nullptr;
    grpc::ByteBuffer raw;
    routed_call call;
    std::chrono::steady_clock::time_point give_up_at;
  };
  /// Serves, forwards or keeps waiting; true when the call was ended.
  bool try_place(waiting& w);
  void forward(const std::string& address, waiting& w);
  std::shared_ptr<grpc::GenericStub> stub_for(const std::string& address);
  void run_waiting();

  const shard_directory& directory_;
  forwarding_settings settings_;
  std::mutex stubs_mutex_;
  std::map<std::string, std::shared_ptr<grpc::GenericStub>> stubs_;
  std::mutex waiting_mutex_;
  std::condition_variable wake_;
  std::deque<waiting> waiting_; // under waiting_mutex_
  bool stopping_ = false;       // under waiting_mutex_
  std::thread waiter_;
};

} // namespace tt::adapters::rpc
