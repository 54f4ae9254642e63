// HMAC-SHA256 against the RFC 4231 vectors, and the constant-time comparison.
#include "actors/common/hmac.hpp"

#include <doctest/doctest.h>

#include <string>

using tt::constant_time_equal;
using tt::hmac_sha256;
using tt::hmac_sha256_hex;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1, 2 and 6") {
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than the 64-byte block is hashed first (the path our wrapper takes itself).
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                        "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("an empty key and message are valid HMAC input") {
  CHECK(hmac_sha256_hex("", "") ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("the raw digest is the hex digest's bytes") {
  auto digest = hmac_sha256("Jefe", "what do ya want for nothing?");
  CHECK(tt::to_hex(tt::to_bytes(digest)) ==
        hmac_sha256_hex("Jefe", "what do ya want for nothing?"));
  CHECK(digest[0] == 0x5b);
  CHECK(digest[31] == 0x43);
}

TEST_CASE("constant_time_equal compares every byte and the length") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("signature", "signature"));
  CHECK_FALSE(constant_time_equal("signature", "signaturf"));
  CHECK_FALSE(constant_time_equal("signature", "Signature"));
  CHECK_FALSE(constant_time_equal("signature", "signatur"));
  CHECK_FALSE(constant_time_equal("sig", "signature"));
  CHECK_FALSE(constant_time_equal("", "x"));
  // Embedded zero bytes are data, not terminators.
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}
