#include "adapters/catalog/schema_text.hpp"

#include <charconv>
#include <chrono>
#include <utility>
#include <vector>

#include "actors/common/errc.hpp"

namespace tt::adapters::catalog {
namespace {

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

/// Length of the well-formed UTF-8 sequence starting text[i], or 0 if it is malformed.
std::size_t utf8_length_at(std::string_view text, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  unsigned char c = byte(i);
  if (c < 0x80)
    return 1;
  std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (length == 0 || c > 0xF4 || i + length > text.size())
    return 0;
  for (std::size_t k = 1; k < length; ++k)
    if (!is_continuation(byte(i + k)))
      return 0;
  unsigned char second = byte(i + 1);
  if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) ||
      (c == 0xF0 && second < 0x90) || (c == 0xF4 && second > 0x8F))
    return 0; // overlong, surrogate, or past U+10FFFF
  return length;
}

/// Exactly `n` ASCII digits at text[pos..], as a number.
std::optional<int> fixed_digits(std::string_view text, std::size_t pos, std::size_t n) noexcept {
  if (pos + n > text.size())
    return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_leap(int year) noexcept {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) noexcept {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// The zone suffix at text[pos..] ("Z" or "+HH:MM"/"-HH:MM") as seconds east of UTC.
std::optional<int64_t> zone_offset(std::string_view text, std::size_t pos) noexcept {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z'))
    return 0;
  if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':')
    return std::nullopt;
  auto hours = fixed_digits(text, pos + 1, 2);
  auto minutes = fixed_digits(text, pos + 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59)
    return std::nullopt;
  int64_t offset = *hours * 3600 + *minutes * 60;
  return text[pos] == '-' ? -offset : offset;
}

} // namespace

failure invalid_field(std::string field, std::string reason, std::string_view value) {
  std::string message = field + ": " + reason;
  std::vector<error_detail> details{
      error_detail{std::move(field), std::move(reason), printable_prefix(value)}};
  return fail(errc::invalid_argument, std::move(message), std::move(details));
}

result<void> check_document(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return invalid_field("document", "larger than " + std::to_string(max_bytes) + " bytes");
  if (auto at = first_invalid_utf8(text); at != std::string_view::npos)
    return invalid_field("document", "not valid UTF-8 at byte " + std::to_string(at));
  if (auto at = text.find('\0'); at != std::string_view::npos)
    return invalid_field("document", "contains a NUL byte at byte " + std::to_string(at));
  return {};
}

std::size_t first_invalid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_length_at(text, i);
    if (length == 0)
      return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string printable_prefix(std::string_view text, std::size_t max_bytes) {
  std::size_t end = 0;
  while (end < text.size()) {
    std::size_t length = utf8_length_at(text, end);
    if (length == 0 || end + length > max_bytes)
      break;
    end += length;
  }
  return std::string{text.substr(0, end)};
}

std::optional<timestamp> parse_rfc3339(std::string_view text) noexcept {
  // Fixed part: "YYYY-MM-DDTHH:MM:SS" is 19 characters.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':' ||
      (text[10] != 'T' && text[10] != 't'))
    return std::nullopt;
  auto year = fixed_digits(text, 0, 4);
  auto month = fixed_digits(text, 5, 2);
  auto day = fixed_digits(text, 8, 2);
  auto hour = fixed_digits(text, 11, 2);
  auto minute = fixed_digits(text, 14, 2);
  auto second = fixed_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 || *minute > 59 || *second > 59)
    return std::nullopt;
  std::size_t pos = 19;
  int64_t millis = 0;
  if (text[pos] == '.') {
    std::size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
      if (digits < 3)
        millis = millis * 10 + (text[pos] - '0');
    if (digits == 0 || digits > 9)
      return std::nullopt;
    for (; digits < 3; ++digits)
      millis *= 10;
  }
  auto offset = zone_offset(text, pos);
  if (!offset)
    return std::nullopt;
  int64_t seconds = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                    *second - *offset;
  return timestamp{std::chrono::milliseconds{seconds * 1000 + millis}};
}

std::optional<int64_t> parse_int64(std::string_view text) noexcept {
  std::size_t digits_at = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == digits_at)
    return std::nullopt;
  for (std::size_t i = digits_at; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

} // namespace tt::adapters::catalog
