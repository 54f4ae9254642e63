#include "adapters/catalog/schema_text.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace tt::adapters::catalog;
using namespace std::chrono_literals;

namespace {

int64_t ms_of(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  REQUIRE_MESSAGE(parsed.has_value(), text);
  return parsed->time_since_epoch().count();
}

} // namespace

TEST_CASE("RFC 3339 timestamps map to milliseconds since the epoch") {
  CHECK(ms_of("1970-01-01T00:00:00Z") == 0);
  CHECK(ms_of("2026-11-01T00:00:00Z") == 1'793'491'200'000);
  CHECK(ms_of("2026-11-01T09:00:00+09:00") == 1'793'491'200'000);
  CHECK(ms_of("2026-10-31T19:30:00-04:30") == 1'793'491'200'000);
  CHECK(ms_of("2026-11-01t00:00:00z") == 1'793'491'200'000);
  CHECK(ms_of("2026-11-01T00:00:00.5Z") == 1'793'491'200'500);
  CHECK(ms_of("2026-11-01T00:00:00.123456789Z") == 1'793'491'200'123);
  CHECK(ms_of("2028-02-29T00:00:00Z") == 1'835'395'200'000); // leap day
  CHECK(ms_of("1969-12-31T23:59:59Z") == -1'000);
}

TEST_CASE("malformed or impossible timestamps are refused") {
  const char* bad[] = {"",
                       "2026-11-01",
                       "2026-11-01T00:00:00",   // no zone
                       "2026-11-01 00:00:00Z",  // space separator
                       "2026-11-01T00:00Z",     // no seconds
                       "2026-13-01T00:00:00Z",  // month 13
                       "2027-02-29T00:00:00Z",  // not a leap year
                       "2026-04-31T00:00:00Z",  // April has 30 days
                       "2026-11-01T24:00:00Z",  // hour 24
                       "2026-11-01T00:60:00Z",  //
                       "2026-11-01T23:59:60Z",  // leap second
                       "2026-11-01T00:00:00.Z", // empty fraction
                       "2026-11-01T00:00:00.1234567890Z",
                       "2026-11-01T00:00:00+9:00",  // offset needs two digits
                       "2026-11-01T00:00:00+24:00", //
                       "2026-11-01T00:00:00+09:00x",
                       "+2026-11-01T00:00:00Z",
                       "2026-1a-01T00:00:00Z"};
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST_CASE("integers are plain decimal and fit 64 bits") {
  CHECK(parse_int64("150000") == 150'000);
  CHECK(parse_int64("-5") == -5);
  CHECK(parse_int64("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(parse_int64("9223372036854775808").has_value());
  CHECK_FALSE(parse_int64("").has_value());
  CHECK_FALSE(parse_int64("-").has_value());
  CHECK_FALSE(parse_int64("+5").has_value());
  CHECK_FALSE(parse_int64("0x10").has_value());
  CHECK_FALSE(parse_int64("1e5").has_value());
  CHECK_FALSE(parse_int64(" 5").has_value());
}

TEST_CASE("UTF-8 is checked strictly and echoed values are cut on character boundaries") {
  CHECK(first_invalid_utf8("plain ascii") == std::string_view::npos);
  CHECK(first_invalid_utf8("예술의전당 🎻") == std::string_view::npos);
  CHECK(first_invalid_utf8("ab\xFF") == 2);
  CHECK(first_invalid_utf8("\xC0\xAF") == 0);         // overlong '/'
  CHECK(first_invalid_utf8("x\xED\xA0\x80") == 1);    // surrogate U+D800
  CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == 0); // past U+10FFFF
  CHECK(first_invalid_utf8("\xE4\xB8") == 0);         // truncated sequence
  CHECK(printable_prefix("예술의전당", 4) == "예");   // 3-byte characters: 4 bytes hold one
  CHECK(printable_prefix("abc", 64) == "abc");
  CHECK(printable_prefix("ab\xFF"
                         "cd",
                         64) == "ab");
}

TEST_CASE("an invalid field carries its path, reason and a shortened value") {
  auto f = invalid_field("sections[2].rows[1].seats", "bad range", std::string(100, 'x'));
  CHECK(f.code == tt::errc::invalid_argument);
  CHECK(f.message == "sections[2].rows[1].seats: bad range");
  REQUIRE(f.details.size() == 1);
  CHECK(f.details[0].field == "sections[2].rows[1].seats");
  CHECK(f.details[0].reason == "bad range");
  CHECK(f.details[0].value == std::string(64, 'x'));
}
