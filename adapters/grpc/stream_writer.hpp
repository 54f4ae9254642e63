#pragma once
/// The writing side of one server-streaming RPC, over serialized messages: a
/// grpc::ServerWriteReactor whose outgoing buffer is bounded (outgoing_buffer.hpp). By default
/// `push_bytes` is latest-state-wins: a message pushed while another is being written replaces the
/// unsent one, so a slow reader costs at most two messages of memory and never blocks the pusher
/// (an actor thread, or a relay reading another node's stream). After `queue_up_to(n)` pushes
/// queue in order instead, up to n behind the one on the wire; the push that would make n + 1 ends
/// the stream with RESOURCE_EXHAUSTED (ERROR_CODE_QUOTA_EXCEEDED) after the write in flight,
/// dropping what is queued: a client that far behind re-reads the state instead. `finish` /
/// `fail` / `finish_with` end the call after the message on the wire and the pending ones are
/// written. `ready` sends the initial metadata at once, so a client can tell when the server side
/// of its stream is live. `on_close` callbacks run once when the call is over (finished,
/// cancelled, the client went away), so whoever serves or relays the stream frees what it holds
/// for it.
///
/// server_stream.hpp adds the request and typed pushes; the cluster's stream relay
/// (stream_relay.hpp) writes another node's messages through this class unchanged.
///
/// Thread-safe: pushed from actor or relay threads while gRPC runs the reactions on its own
/// threads. Owned by shared_ptr; the reactor keeps itself alive until gRPC's OnDone, and a push
/// after that is a no-op that returns false.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "actors/common/failure.hpp"
#include "adapters/grpc/outgoing_buffer.hpp"
#include "adapters/grpc/status_mapping.hpp"

namespace tt::adapters::rpc {

class stream_writer : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  stream_writer(const stream_writer&) = delete;
  stream_writer& operator=(const stream_writer&) = delete;

  const std::string& trace_id() const noexcept { return trace_id_; }

  /// `f` runs once, when the call is over; at once if it already is. Several callbacks run in
  /// the order they were added.
  void on_close(std::function<void()> f) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (!closed_) {
      if (on_close_)
        f = [first = std::move(on_close_), then = std::move(f)] {
          first();
          then();
        };
      on_close_ = std::move(f);
      return;
    }
    lock.unlock();
    f();
  }

  /// Keeps every push, in order, up to `max_pending` behind the message on the wire (call before
  /// the first push).
  void queue_up_to(size_t max_pending) {
    std::lock_guard<std::mutex> lock{mutex_};
    pending_.bound(max_pending);
  }

  /// Sends the initial metadata now, unless a write already carried it.
  void ready() {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      if (metadata_sent_ || closed_ || final_ || finished_)
        return;
      metadata_sent_ = true;
    }
    StartSendInitialMetadata();
  }

  /// Queues one serialized message (latest state wins, unless queue_up_to). False once the call
  /// is over or finishing, and when a bounded queue overflowed (the stream then ends
  /// RESOURCE_EXHAUSTED).
  bool push_bytes(grpc::ByteBuffer bytes) {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      if (closed_ || final_)
        return false;
      if (writing_) {
        if (pending_.add(std::move(bytes)))
          return true;
        overflow_locked(); // Finish follows the write in flight (OnWriteDone)
        return false;
      }
      writing_ = true;
      metadata_sent_ = true; // the first write carries it
      wire_ = std::move(bytes);
    }
    StartWrite(&wire_);
    return true;
  }

  /// True once the call is over or its end is decided: nothing more will be written.
  bool over() const {
    std::lock_guard<std::mutex> lock{mutex_};
    return closed_ || final_.has_value();
  }

  /// Ends the stream with OK once what was pushed is written.
  void finish() { finish_with(grpc::Status::OK); }

  /// Ends the stream with the mapped error once what was pushed is written.
  void fail(const failure& f) { finish_with(to_grpc_status(f, trace_id_)); }

  /// Ends the stream with `status` as it is (another node's, relayed) once what was pushed is
  /// written; the first end decided wins.
  void finish_with(grpc::Status status) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (final_ || finished_)
      return;
    final_ = std::move(status);
    auto now = writing_ ? std::nullopt : take_final_locked();
    lock.unlock();
    if (now)
      Finish(*now);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock{mutex_};
    if (!ok)
      close_locked(); // the client is gone: nothing more is written
    std::optional<grpc::ByteBuffer> next;
    if (!closed_)
      next = pending_.take();
    if (next) {
      wire_ = std::move(*next);
      lock.unlock();
      StartWrite(&wire_);
      return;
    }
    writing_ = false;
    wire_.Clear(); // an idle stream keeps no copy of what it last sent (~0.5 KiB)
    auto status = take_final_locked();
    lock.unlock();
    if (!ok)
      run_on_close();
    if (status)
      Finish(*status);
  }

  void OnCancel() override {
    std::unique_lock<std::mutex> lock{mutex_};
    close_locked();
    auto status = writing_ ? std::nullopt : take_final_locked();
    lock.unlock();
    run_on_close();
    if (status)
      Finish(*status);
  }

  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      closed_ = true;
      finished_ = true;
    }
    run_on_close();
    self_.reset(); // whoever still holds the stream only sees pushes return false
  }

 protected:
  /// No `x-trace-id` header, unlike unary calls: every message carries the trace id in its
  /// correlation_id, and a header costs ~0.8 KiB of gRPC call arena per open stream (measured
  /// with ops/bench/stream_memory.py: 19.6 -> 18.8 KiB per stream).
  explicit stream_writer(std::string trace_id) : trace_id_(std::move(trace_id)) {}
  ~stream_writer() override = default;

  /// Keeps the stream alive until gRPC is done with it (called once, by the opener).
  void keep_alive(std::shared_ptr<stream_writer> self) { self_ = std::move(self); }

 private:
  /// The status to Finish with, once: gRPC needs exactly one Finish even after a cancel.
  std::optional<grpc::Status> take_final_locked() {
    if (finished_ || !final_)
      return std::nullopt;
    finished_ = true;
    return final_;
  }

  void overflow_locked() {
    pending_.clear();
    final_ =
        to_grpc_status(tt::fail(errc::quota_exceeded,
                                "this stream fell " + std::to_string(pending_.capacity()) +
                                    " updates behind; reconnect and re-read the current state"),
                       trace_id_);
  }

  void close_locked() {
    closed_ = true;
    pending_.clear();
    if (!final_)
      final_ = grpc::Status::CANCELLED;
  }

  void run_on_close() {
    std::function<void()> f;
    {
      std::lock_guard<std::mutex> lock{mutex_};
      f = std::move(on_close_);
      on_close_ = nullptr;
    }
    if (f)
      f();
  }

  std::string trace_id_;
  mutable std::mutex mutex_;
  /// The message gRPC is writing: must stay untouched until OnWriteDone.
  grpc::ByteBuffer wire_;
  /// What waits behind `wire_` (one message, or a bounded queue).
  outgoing_buffer<grpc::ByteBuffer> pending_;
  bool writing_ = false;
  /// The initial metadata went (or goes with the first write): never twice.
  bool metadata_sent_ = false;
  /// The call is over for writing: cancelled, a write failed, or done.
  bool closed_ = false;
  /// How the stream ends, once `finish`/`fail` (or a cancel) decided it.
  std::optional<grpc::Status> final_;
  /// Finish was called (or OnDone came): never again.
  bool finished_ = false;
  std::function<void()> on_close_;
  std::shared_ptr<stream_writer> self_;
};

} // namespace tt::adapters::rpc
