#pragma once
/// Conversion of a domain rejection (tt::failure) into the caf::error an actor replies with. The
/// reverse direction, which also has to understand CAF's own errors, is the adapters' job
/// (adapters/grpc/status_mapping).

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "actors/common/failure.hpp"
#include "actors/runtime/message_types.hpp"

namespace tt::actors {

/// Context layout: (message, [field, reason, value]*) flattened into one string vector.
inline caf::error to_caf_error(const failure& f) {
  std::vector<std::string> details;
  details.reserve(f.details.size() * 3);
  for (const auto& d : f.details) {
    details.push_back(d.field);
    details.push_back(d.reason);
    details.push_back(d.value);
  }
  return caf::make_error(f.code, f.message, std::move(details));
}

} // namespace tt::actors
