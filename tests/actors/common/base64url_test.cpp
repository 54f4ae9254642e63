// base64url without padding: RFC 4648 vectors, round trips, and the one-spelling rule.
#include "actors/common/base64url.hpp"

#include <doctest/doctest.h>

#include <string>

using tt::base64url_decode;
using tt::base64url_encode;

TEST_CASE("base64url encodes the RFC 4648 vectors without padding") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  // The two characters that differ from plain base64.
  CHECK(base64url_encode("\xfb\xff") == "-_8");
}

TEST_CASE("base64url round-trips every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (std::size_t length = 0; length <= all.size(); length += 37) {
    auto bytes = all.substr(0, length);
    auto decoded = base64url_decode(base64url_encode(bytes));
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64url decoding accepts only the canonical spelling") {
  CHECK(base64url_decode("Zm9vYmFy") == std::string{"foobar"});
  CHECK_FALSE(base64url_decode("Zm9vYg==")); // padding
  CHECK_FALSE(base64url_decode("Zm9v+g"));   // plain-base64 alphabet
  CHECK_FALSE(base64url_decode("Zm9v Yg"));  // whitespace
  CHECK_FALSE(base64url_decode("Zm9vY"));    // 1 mod 4 characters
  CHECK_FALSE(base64url_decode("Zh"));       // "f" is "Zg": the low bits of 'h' must be zero
  CHECK(base64url_decode("Zg") == std::string{"f"});
}
