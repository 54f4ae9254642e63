#include "scenarios/load/echo_service.hpp"

namespace tt::load {

namespace {

/// One call: read one message, write it back with the final status in the same batch.
class echo_reactor final : public grpc::ServerGenericBidiReactor {
 public:
  echo_reactor() { StartRead(&message_); }

  void OnReadDone(bool ok) override {
    if (ok)
      StartWriteAndFinish(&message_, grpc::WriteOptions{}, grpc::Status::OK);
    else
      Finish(grpc::Status::OK); // the client half-closed without a message
  }

  void OnDone() override { delete this; }

 private:
  grpc::ByteBuffer message_;
};

} // namespace

grpc::ServerGenericBidiReactor* echo_service::CreateReactor(grpc::GenericCallbackServerContext*) {
  return new echo_reactor;
}

} // namespace tt::load
