#include "adapters/grpc/peer_channels.hpp"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace tt::adapters::rpc {

peer_channels::peer_channels(std::optional<peer_tls> tls)
    : credentials_(
          tls ? grpc::SslCredentials({tls->root_ca, tls->private_key, tls->certificate_chain})
              : grpc::InsecureChannelCredentials()) {}

std::shared_ptr<grpc::GenericStub> peer_channels::stub(const std::string& address) {
  std::lock_guard lock{mutex_};
  auto& stub = stubs_[address];
  if (!stub)
    stub = std::make_shared<grpc::GenericStub>(grpc::CreateChannel(address, credentials_));
  return stub;
}

} // namespace tt::adapters::rpc
