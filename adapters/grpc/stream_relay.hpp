#pragma once
/// The cluster's stream relay: a server stream whose shard another node owns is opened there, as
/// the same method with the same request bytes, the caller's metadata, deadline and trace id, and
/// the forwarded mark (forwarding.hpp decides when and carries them); every message the owner
/// sends is written to the client's stream as it is, through that stream's bounded buffer
/// (stream_writer.hpp: latest state wins for the waiting room's positions), and the owner's
/// final status ends it unchanged. The client going away cancels the owner's call. The owner
/// becoming unreachable (killed, its connection reset: UNAVAILABLE without the contract's error
/// details) ends the client's stream with `lost`, UNAVAILABLE with a retry hint, so the client
/// reconnects through the node it is connected to.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "actors/common/failure.hpp"
#include "adapters/grpc/stream_writer.hpp"

namespace tt::adapters::rpc {

struct relay_request {
  /// "/pkg.Service/Method".
  std::string path;
  grpc::ByteBuffer raw;
  /// Headers for the owner's call: the caller's, its trace id and the forwarded mark.
  std::vector<std::pair<std::string, std::string>> metadata;
  /// The caller's deadline; max() when it set none.
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
};

/// Opens `request` on `stub` and relays it into `client` until either side ends.
void relay_stream(grpc::GenericStub& stub, const relay_request& request,
                  std::shared_ptr<stream_writer> client, failure lost);

} // namespace tt::adapters::rpc
