#pragma once
/// tt.internal.v1.UserService: the HTTP gateway's sign-up and sign-in (proto/tt/internal/v1/
/// users.proto) over adapters/auth's user_directory. Calls, not direct use of the directory, so
/// that in a cluster the forwarding takes each to the node serving the user's shard
/// (shard_of_user), whose store holds the user and whose changelog keeps it when that node dies.
///
/// Both calls hash a password (Argon2id: ~50 ms and 64 MiB on purpose), so they run on the
/// adapter's own thread, never a gRPC thread; at most `max_waiting` wait for it, more are refused
/// UNAVAILABLE with a retry hint (a flood of sign-ins must not queue without end).

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "adapters/auth/user_directory.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/tt/internal/v1/users.pb.h"

namespace tt::adapters::rpc {

class user_service_adapter {
 public:
  /// `users` outlives the adapter.
  user_service_adapter(rpc_service& service, auth::user_directory& users);
  user_service_adapter(const user_service_adapter&) = delete;
  user_service_adapter& operator=(const user_service_adapter&) = delete;
  /// Refuses what still waits (UNAVAILABLE), finishes the call in progress, and waits until no
  /// registration is waiting for the store.
  ~user_service_adapter();

  static constexpr size_t max_waiting = 64;

 private:
  using register_call =
      unary_call<tt::internal::v1::RegisterUserRequest, tt::internal::v1::RegisterUserResponse>;
  using authenticate_call = unary_call<tt::internal::v1::AuthenticateUserRequest,
                                       tt::internal::v1::AuthenticateUserResponse>;
  void register_user(std::shared_ptr<register_call> call);
  void authenticate(std::shared_ptr<authenticate_call> call);
  /// A call's work for the hashing thread, and how to refuse it (too many wait, or stopping).
  struct job {
    std::function<void()> run;
    std::function<void(bool stopping)> refuse;
  };
  /// Queues `j` for the hashing thread, or refuses it when `max_waiting` jobs wait already.
  void off_grpc_thread(job j);
  void run();

  auth::user_directory& users_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> jobs_;  // under mutex_
  bool stopping_ = false; // under mutex_
  std::thread worker_;
};

} // namespace tt::adapters::rpc
