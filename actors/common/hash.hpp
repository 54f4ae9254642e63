#pragma once
/// FNV-1a, 64 bit. Chosen because it is tiny, has no seed and is defined byte by byte, so it gives
/// the same value on every node, build and run: shard routing and request fingerprints depend on
/// that. Not collision resistant against an adversary; never use it for secrets.

#include <cstdint>
#include <string_view>

namespace tt {

inline constexpr uint64_t fnv1a64_offset = 14695981039346656037ull;
inline constexpr uint64_t fnv1a64_prime = 1099511628211ull;

/// Continues a hash from `seed`, so several fields can be folded into one value.
constexpr uint64_t fnv1a64(std::string_view bytes, uint64_t seed = fnv1a64_offset) noexcept {
  uint64_t h = seed;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= fnv1a64_prime;
  }
  return h;
}

} // namespace tt
