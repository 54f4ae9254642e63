#pragma once
/// Explicit size limits on request fields, shared by every adapter, and the checks that turn a
/// violation into an INVALID_ARGUMENT failure naming the field.

#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "actors/common/failure.hpp"

namespace tt::adapters::rpc {

/// Names and ids (component names, event ids, user ids, seat ids).
constexpr size_t max_name_length = 64;
/// Minted reservation ids: prefix, shard, event id (up to 64) and a 26-character unique part.
constexpr size_t max_reservation_id_length = 128;
/// Idempotency keys (UUIDs and the like) and payment intent ids.
constexpr size_t max_key_length = 128;
/// Free text: cancel reasons and the like.
constexpr size_t max_text_length = 512;
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

/// The shape checks of one request, in order; the first violation is the answer:
///   if (auto bad = request_check{}.required("event_id", r.event_id()).key(r.idempotency_key())
///                    .result()) { call->fail(*bad); return; }
class request_check {
 public:
  request_check& required(const std::string& field, const std::string& value,
                          size_t max = max_name_length) {
    if (!bad_ && value.empty())
      bad_ = fail(errc::invalid_argument, field + " is required", {{field, "required", ""}});
    return optional(field, value, max);
  }

  request_check& optional(const std::string& field, const std::string& value,
                          size_t max = max_name_length) {
    if (!bad_)
      bad_ = check_length(field, value, max);
    return *this;
  }

  /// Every write names an idempotency key.
  request_check& key(const std::string& value) {
    if (!bad_ && value.empty())
      bad_ = fail(errc::idempotency_required, "idempotency_key is required for this write",
                  {{"idempotency_key", "required", ""}});
    return optional("idempotency_key", value, max_key_length);
  }

  /// Every entry non-empty, within `max`, listed once; at most `max_count` entries.
  template <class Strings>
  request_check& each(const std::string& field, const Strings& values,
                      size_t max_count = max_list_length, size_t max = max_name_length) {
    if (!bad_)
      bad_ = check_count(field, static_cast<size_t>(values.size()), max_count);
    std::set<std::string> seen;
    for (const auto& v : values) {
      if (!bad_ && v.empty())
        bad_ = fail(errc::invalid_argument, field + " has an empty entry",
                    {{field, "empty entry", ""}});
      if (!bad_ && !seen.insert(v).second)
        bad_ = fail(errc::invalid_argument, field + " lists " + v.substr(0, 64) + " twice",
                    {{field, "duplicate", v.substr(0, 64)}});
      optional(field, v, max);
    }
    return *this;
  }

  /// A string map: at most `max_count` entries, keys non-empty within `max_key`, values within
  /// `max_value`.
  template <class Map>
  request_check& entries(const std::string& field, const Map& map, size_t max_count, size_t max_key,
                         size_t max_value) {
    if (!bad_)
      bad_ = check_count(field, static_cast<size_t>(map.size()), max_count);
    for (const auto& [k, v] : map) {
      if (!bad_ && k.empty())
        bad_ =
            fail(errc::invalid_argument, field + " has an empty key", {{field, "empty key", ""}});
      optional(field + " key", k, max_key);
      optional(field + "[" + k.substr(0, 64) + "]", v, max_value);
    }
    return *this;
  }

  request_check& range(const std::string& field, int64_t value, int64_t min, int64_t max) {
    if (!bad_ && (value < min || value > max))
      bad_ = fail(errc::invalid_argument,
                  field + " must be " + std::to_string(min) + ".." + std::to_string(max),
                  {{field, "out of range", std::to_string(value)}});
    return *this;
  }

  const std::optional<failure>& result() const noexcept { return bad_; }

 private:
  std::optional<failure> bad_;
};

} // namespace tt::adapters::rpc
