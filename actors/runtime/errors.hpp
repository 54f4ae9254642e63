#pragma once
/// A domain rejection (tt::failure) as the caf::error an actor replies with, and back. CAF's own
/// errors (timeouts, dead actors) are not rejections: mapping those is the adapters' job
/// (adapters/grpc/status_mapping).

#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "actors/common/failure.hpp"
#include "actors/runtime/message_types.hpp"
#include "storage/errc.hpp"

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

/// The rejection inside `err`, or nullopt when `err` is none or not a tt error.
inline std::optional<failure> to_failure(const caf::error& err) {
  if (!err || err.category() != caf::atom("tt")) // CAF 0.17: an empty error has no category
    return std::nullopt;
  failure f;
  f.code = static_cast<errc>(err.code());
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string, std::vector<std::string>>()) {
    f.message = ctx.get_as<std::string>(0);
    const auto& flat = ctx.get_as<std::vector<std::string>>(1);
    for (size_t i = 0; i + 2 < flat.size(); i += 3)
      f.details.push_back({flat[i], flat[i + 1], flat[i + 2]});
  }
  if (f.message.empty())
    f.message = std::string(to_string(f.code));
  return f;
}

/// A storage error as the rejection a client sees: corruption is data corruption, anything else
/// means storage is unavailable right now.
inline failure storage_failure(const storage::storage_error& err) {
  return fail(err.code == storage::errc::corruption ? errc::data_corruption : errc::unavailable,
              "storage: " + err.message);
}

} // namespace tt::actors
