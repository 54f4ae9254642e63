#include "actors/common/hmac.hpp"

#include <new>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace tt {
namespace {

constexpr std::size_t sha256_block_length = 64;

} // namespace

sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  // HMAC() takes the key length as an int. RFC 2104 replaces a key longer than the block by its
  // hash anyway, so doing that here gives the same digest and keeps any length representable.
  sha256_digest hashed_key{};
  auto key_data = reinterpret_cast<const unsigned char*>(key.data());
  std::size_t key_length = key.size();
  if (key_length > sha256_block_length) {
    SHA256(key_data, key_length, hashed_key.data());
    key_data = hashed_key.data();
    key_length = hashed_key.size();
  }
  sha256_digest digest{};
  unsigned int digest_length = 0;
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key_length),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &digest_length) == nullptr ||
      digest_length != digest.size())
    throw std::bad_alloc{};
  return digest;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return to_hex(to_bytes(hmac_sha256(key, message)));
}

std::string to_bytes(const sha256_digest& digest) {
  return std::string{reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string to_hex(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<uint8_t>(c);
    out += digits[byte >> 4];
    out += digits[byte & 0xF];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // On a length mismatch still compare as many bytes as `a` holds (against itself), so the time
  // reveals the lengths and nothing else.
  bool same_length = a.size() == b.size();
  const void* other = same_length ? b.data() : a.data();
  int difference = CRYPTO_memcmp(a.data(), other, a.size());
  return same_length && difference == 0;
}

} // namespace tt
