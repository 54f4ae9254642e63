#include "adapters/grpc/stream_relay.hpp"

namespace tt::adapters::rpc {

namespace {

/// The owner's side of one relayed stream: a bidi call that writes the one request and
/// half-closes (on the wire, exactly a server-streaming call), then reads until the owner ends.
/// Keeps itself alive until gRPC's OnDone.
class upstream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  static void start(grpc::GenericStub& stub, const relay_request& r,
                    std::shared_ptr<stream_writer> client, failure lost) {
    auto up = std::shared_ptr<upstream>(new upstream(std::move(client), std::move(lost)));
    up->self_ = up;
    up->request_ = r.raw; // shares the bytes
    for (const auto& [key, value] : r.metadata)
      up->ctx_.AddMetadata(key, value);
    if (r.deadline != std::chrono::system_clock::time_point::max())
      up->ctx_.set_deadline(r.deadline);
    stub.PrepareBidiStreamingCall(&up->ctx_, r.path, {}, up.get());
    up->StartWriteLast(&up->request_, grpc::WriteOptions{});
    up->StartRead(&up->in_);
    up->StartCall();
    // The client leaving cancels the owner's call; a relay already over has nothing to cancel.
    up->client_->on_close([weak = std::weak_ptr<upstream>{up}] {
      if (auto alive = weak.lock())
        alive->ctx_.TryCancel();
    });
  }

  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) // the owner's stream is live: so is the client's (clients wait for the headers)
      client_->ready();
  }

  void OnReadDone(bool ok) override {
    if (!ok)
      return; // the owner ended the stream: OnDone brings the status
    grpc::ByteBuffer msg;
    msg.Swap(&in_);
    if (!client_->push_bytes(std::move(msg))) {
      ctx_.TryCancel(); // the client's stream is over: stop the owner's
      return;
    }
    StartRead(&in_);
  }

  void OnDone(const grpc::Status& status) override {
    // The contract's own errors carry a common.v1.Error in their details; an UNAVAILABLE
    // without them is the transport's: the owner died or its connection broke.
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE && status.error_details().empty())
      client_->fail(lost_);
    else
      client_->finish_with(status);
    self_.reset();
  }

 private:
  upstream(std::shared_ptr<stream_writer> client, failure lost)
      : client_(std::move(client)), lost_(std::move(lost)) {}

  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer in_;
  std::shared_ptr<stream_writer> client_;
  failure lost_;
  std::shared_ptr<upstream> self_;
};

} // namespace

void relay_stream(grpc::GenericStub& stub, const relay_request& request,
                  std::shared_ptr<stream_writer> client, failure lost) {
  upstream::start(stub, request, std::move(client), std::move(lost));
}

} // namespace tt::adapters::rpc
