#pragma once
/// One server-streaming RPC served by this node: the parsed request and typed pushes over a
/// stream_writer (stream_writer.hpp: the bounded outgoing buffer, latest state wins by default,
/// `queue_up_to` for changes a client must see every one of, `ready`, `finish`/`fail`,
/// `on_close`).
///
/// Thread-safe as stream_writer is; `request()` is filled before the handler runs and only read
/// afterwards.

#include <memory>
#include <string>
#include <utility>

#include <grpcpp/impl/codegen/proto_utils.h>

#include "adapters/grpc/stream_writer.hpp"

namespace tt::adapters::rpc {

template <class Request, class Response>
class server_stream final : public stream_writer {
 public:
  static std::shared_ptr<server_stream> open(std::string trace_id) {
    std::shared_ptr<server_stream> s{new server_stream(std::move(trace_id))};
    s->keep_alive(s);
    return s;
  }

  Request& request() noexcept { return request_; }

  /// Queues `msg` (see stream_writer::push_bytes); false when it cannot be serialized.
  bool push(const Response& msg) {
    grpc::ByteBuffer bytes;
    bool own_buffer = false;
    if (!grpc::SerializationTraits<Response>::Serialize(msg, &bytes, &own_buffer).ok())
      return false;
    return push_bytes(std::move(bytes));
  }

 private:
  explicit server_stream(std::string trace_id) : stream_writer(std::move(trace_id)) {}

  Request request_;
};

} // namespace tt::adapters::rpc
