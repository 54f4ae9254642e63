#include "adapters/grpc/core_log.hpp"

#include <atomic>
#include <stdexcept>

#include <grpc/support/log.h>

namespace tt::adapters::rpc {

namespace {

std::atomic<logs::throttled_log*> target{nullptr};

spdlog::level::level_enum level_of(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return spdlog::level::debug;
    case GPR_LOG_SEVERITY_INFO:
      return spdlog::level::info;
    case GPR_LOG_SEVERITY_ERROR:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

void handle(gpr_log_func_args* args) {
  if (auto* out = target.load())
    out->write_from("grpc core", args->file, args->line, level_of(args->severity), args->message);
}

} // namespace

core_log::core_log(logs::throttled_log& out) {
  logs::throttled_log* none = nullptr;
  if (!target.compare_exchange_strong(none, &out))
    throw std::logic_error("gRPC's log is routed already");
  gpr_set_log_function(&handle);
}

core_log::~core_log() {
  gpr_set_log_function(nullptr); // gRPC's default again
  target.store(nullptr);
}

} // namespace tt::adapters::rpc
