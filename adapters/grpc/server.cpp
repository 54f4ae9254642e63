#include "adapters/grpc/server.hpp"

#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

// The generated descriptors register themselves when their library loads (tt_proto is shared).
#include "proto/common/v1/admin.pb.h"
#include "proto/tt/internal/v1/users.pb.h"

namespace tt::adapters::rpc {

const std::vector<std::string>& contract_service_names() {
  static const std::vector<std::string> names{
      "common.v1.AdminService",          "payment.v1.PaymentService",
      "reservation.v1.InventoryService", "reservation.v1.ReservationService",
      "gateway.v1.GatewayService",       "gateway.v1.QueueService",
      "gateway.v1.WebhookService",       "gateway.v1.WebSocketService",
      "reservation.v1.WorkerService",
  };
  return names;
}

const std::vector<std::string>& internal_service_names() {
  static const std::vector<std::string> names{"tt.internal.v1.UserService"};
  return names;
}

namespace {

std::shared_ptr<grpc::ServerCredentials> credentials_of(const tls_options& tls) {
  if (tls.certificate_chain.empty())
    return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl{
      tls.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY};
  ssl.pem_root_certs = tls.client_ca;
  ssl.pem_key_cert_pairs.push_back({tls.private_key, tls.certificate_chain});
  return grpc::SslServerCredentials(ssl);
}

} // namespace

server::server(server_options options) : options_(std::move(options)) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  auto add = [&](const std::string& name) {
    const auto* d = pool->FindServiceByName(name);
    if (d == nullptr)
      throw std::logic_error("service " + name + " is not compiled into this binary");
    services_.push_back(std::make_unique<rpc_service>(*d, options_.limits));
  };
  for (const auto& name : contract_service_names())
    add(name);
  for (const auto& name : internal_service_names())
    add(name);
}

rpc_service& server::service(const std::string& full_name) {
  for (auto& s : services_)
    if (s->descriptor().full_name() == full_name)
      return *s;
  throw std::logic_error("no service " + full_name);
}

const rpc_service::local_unary* server::local_call(std::string_view method_path) const {
  // "/pkg.Service/Method": the service is the part between the slashes.
  auto slash = method_path.rfind('/');
  if (method_path.size() < 2 || method_path[0] != '/' || slash == 0 ||
      slash == std::string_view::npos)
    return nullptr;
  auto name = method_path.substr(1, slash - 1);
  for (const auto& s : services_)
    if (s->descriptor().full_name() == name)
      return s->local(method_path);
  return nullptr;
}

void server::set_router(call_router* router) {
  for (auto& s : services_)
    s->set_router(router);
}

void server::measure(metrics::rpc_metrics& metrics) {
  for (auto& s : services_)
    s->measure(metrics);
}

std::variant<int, std::string> server::start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.listen, credentials_of(options_.tls), &port);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  for (auto& s : services_)
    builder.RegisterService(s.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0)
    return "cannot listen on " + options_.listen +
           " (address in use or not resolvable, or the TLS certificate and key unusable)";
  return port;
}

std::shared_ptr<grpc::Channel> server::in_process_channel() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_->InProcessChannel(args);
}

void server::shutdown(std::chrono::milliseconds grace) {
  if (!server_)
    return;
  if (auto* health = server_->GetHealthCheckService())
    health->Shutdown(); // health checkers see NOT_SERVING while we drain
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

} // namespace tt::adapters::rpc
