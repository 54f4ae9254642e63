#include "adapters/grpc/peer_channels.hpp"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace tt::adapters::rpc {

std::shared_ptr<grpc::GenericStub> peer_channels::stub(const std::string& address) {
  std::lock_guard lock{mutex_};
  auto& stub = stubs_[address];
  if (!stub)
    stub = std::make_shared<grpc::GenericStub>(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  return stub;
}

} // namespace tt::adapters::rpc
