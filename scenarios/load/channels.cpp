#include "scenarios/load/channels.hpp"

#include <chrono>
#include <cmath>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace tt::load {

std::variant<std::vector<std::unique_ptr<grpc::GenericStub>>, std::string>
connect_stubs(const std::string& target, int count, double connect_timeout_s) {
  auto deadline = std::chrono::system_clock::now() +
                  std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      std::chrono::duration<double>(connect_timeout_s));
  grpc::ChannelArguments args;
  // Without a private subchannel pool, channels to one target share one TCP connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < count; ++i) {
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(deadline))
      return "cannot connect to " + target + " within " +
             std::to_string(std::lround(connect_timeout_s * 1000)) + " ms";
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  return stubs;
}

} // namespace tt::load
