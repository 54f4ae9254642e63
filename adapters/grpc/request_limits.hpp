#pragma once
/// Explicit size limits on request fields, shared by every adapter, and the checks that turn a
/// violation into an INVALID_ARGUMENT failure naming the field.

#include <cstddef>
#include <optional>
#include <string>

#include "actors/common/failure.hpp"

namespace tt::adapters::rpc {

/// Names and ids (component names, event ids, user ids...).
constexpr size_t max_name_length = 64;
/// How many names one request may list.
constexpr size_t max_list_length = 32;

inline std::optional<failure> check_length(const std::string& field, const std::string& value,
                                           size_t max) {
  if (value.size() <= max)
    return std::nullopt;
  return fail(errc::invalid_argument,
              field + " is " + std::to_string(value.size()) + " bytes long; the limit is " +
                  std::to_string(max),
              {{field, "too long", value.substr(0, 32) + "..."}});
}

inline std::optional<failure> check_count(const std::string& field, size_t count, size_t max) {
  if (count <= max)
    return std::nullopt;
  return fail(errc::invalid_argument,
              field + " lists " + std::to_string(count) + " entries; the limit is " +
                  std::to_string(max),
              {{field, "too many entries", std::to_string(count)}});
}

} // namespace tt::adapters::rpc
