#include <doctest/doctest.h>

#include <string>

#include "storage/snapshot_codec.hpp"

using namespace tt::storage;

namespace {

record_view decoded(std::string_view bytes) {
  auto out = decode_record(bytes);
  if (auto* error = std::get_if<storage_error>(&out))
    FAIL("decode failed: " << to_string(*error));
  return std::get<record_view>(out);
}

storage_error refused(std::string_view bytes) {
  auto out = decode_record(bytes);
  REQUIRE(std::holds_alternative<storage_error>(out));
  return std::get<storage_error>(out);
}

} // namespace

TEST_CASE("a format version 1 record captured as bytes still decodes") {
  // Written by format version 1: no expiry, payload "seat-A1".
  const std::string plain("\x01\x00seat-A1", 9);
  auto record = decoded(plain);
  CHECK(record.payload == "seat-A1");
  CHECK_FALSE(record.expires_at_ms);
  // Written by format version 1: expiry 1'700'000'000'000 ms (0x18BCFE56800) little-endian,
  // payload "idem".
  const std::string expiring("\x01\x01\x00\x68\xE5\xCF\x8B\x01\x00\x00idem", 14);
  record = decoded(expiring);
  CHECK(record.payload == "idem");
  REQUIRE(record.expires_at_ms);
  CHECK(*record.expires_at_ms == 1'700'000'000'000);
}

TEST_CASE("encoding writes exactly the version 1 layout and round-trips") {
  CHECK(encode_record("seat-A1", std::nullopt) == std::string("\x01\x00seat-A1", 9));
  CHECK(encode_record("idem", 1'700'000'000'000) ==
        std::string("\x01\x01\x00\x68\xE5\xCF\x8B\x01\x00\x00idem", 14));
  auto record = decoded(encode_record("", -5));
  CHECK(record.payload.empty());
  CHECK(*record.expires_at_ms == -5);
}

TEST_CASE("a record from a newer format version is refused, not misread") {
  auto error = refused(std::string("\x63\x00payload", 9)); // version 99
  CHECK(error.code == errc::unsupported_version);
  CHECK(error.message.find("format version 99") != std::string::npos);
}

TEST_CASE("damaged bytes are a corruption error, never a crash") {
  CHECK(refused("").code == errc::corruption);
  CHECK(refused(std::string("\x01", 1)).code == errc::corruption);
  CHECK(refused(std::string("\x00\x00x", 3)).code == errc::corruption);
  CHECK(refused(std::string("\x01\x80x", 3)).code == errc::corruption);
  CHECK(refused(std::string("\x01\x01\x00\x01", 4)).code == errc::corruption);
}

TEST_CASE("a record expires at its expiry instant") {
  record_view record{"x", 1000};
  CHECK_FALSE(is_expired(record, 999));
  CHECK(is_expired(record, 1000));
  CHECK_FALSE(is_expired(record_view{"x", std::nullopt}, 1'000'000));
}
