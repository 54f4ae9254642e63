// Client connections of the load tools: one channel per HTTP/2 connection, one generic stub
// (raw bytes, any method path) per channel.

#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

namespace tt::load {

/// A generic stub on each of `count` channels to `target`, each channel its own TCP connection,
/// all ready; or an error message when one is not ready within `connect_timeout_s`.
std::variant<std::vector<std::unique_ptr<grpc::GenericStub>>, std::string>
connect_stubs(const std::string& target, int count, double connect_timeout_s);

} // namespace tt::load
