#pragma once
/// One small event written in both formats, and helpers to mutate it one field at a time: every
/// malformed-input test is "the valid event, with exactly this one thing wrong".

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"

namespace tt::tests {

/// Seats: A-1-{1,2,3}, A-2-{4,1,2,3,5}, A-3-{4,1,2,3,5}, B-1-{1,2,4}: 16, two blocked.
inline constexpr std::string_view event_yaml = R"(event_id: hall-2026-12-31
name: New Year's Eve Gala
venue: Seoul Arts Center Concert Hall
sale_starts_at: 2026-11-01T00:00:00Z   # RFC 3339
sale_ends_at: 2027-12-31T18:00:00Z
currency: KRW
sections:
  - section: A
    name: Orchestra A
    price: 150000
    rows:
      - row: "1"
        seats: "1-3"
      - rows: "2-3"
        seats: [4, "1-3", 5]
  - section: B
    name: Balcony
    price: 80000
    rows:
      - row: 1
        seats: "1-2, 4"
blocked_seats: [A-1-1, B-1-4]
)";

inline constexpr std::string_view event_json = R"({
  "event_id": "hall-2026-12-31",
  "name": "New Year's Eve Gala",
  "venue": "Seoul Arts Center Concert Hall",
  "sale_starts_at": "2026-11-01T00:00:00Z",
  "sale_ends_at": "2027-12-31T18:00:00Z",
  "currency": "KRW",
  "sections": [
    {"section": "A", "name": "Orchestra A", "price": 150000, "rows": [
      {"row": "1", "seats": "1-3"},
      {"rows": "2-3", "seats": [4, "1-3", 5]}]},
    {"section": "B", "name": "Balcony", "price": 80000, "rows": [
      {"row": 1, "seats": "1-2, 4"}]}
  ],
  "blocked_seats": ["A-1-1", "B-1-4"]
})";

/// `text` with its one occurrence of `from` replaced by `to` (the test fails if there is none).
inline std::string with(std::string_view text, std::string_view from, std::string_view to) {
  std::string out{text};
  auto at = out.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "fixture lacks: " << from);
  REQUIRE_MESSAGE(out.find(from, at + 1) == std::string::npos, "fixture repeats: " << from);
  return out.replace(at, from.size(), to);
}

/// The failure's field path; fails the test if `r` succeeded or is not invalid_argument.
template <class T>
std::string field_of(const result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::invalid_argument);
  REQUIRE_FALSE(r.error().details.empty());
  return r.error().details.front().field;
}

inline std::size_t seat_count(const domain::event_definition& def) {
  std::size_t seats = 0;
  for (const auto& section : def.sections)
    for (const auto& row : section.rows)
      seats += row.seat_numbers.size();
  return seats;
}

/// Field-by-field equality (the domain type has no operator==).
inline void check_same(const domain::event_definition& a, const domain::event_definition& b) {
  CHECK(a.id == b.id);
  CHECK(a.name == b.name);
  CHECK(a.venue == b.venue);
  CHECK(a.sale_starts_at == b.sale_starts_at);
  CHECK(a.sale_ends_at == b.sale_ends_at);
  CHECK(a.currency == b.currency);
  CHECK(a.blocked_seats == b.blocked_seats);
  REQUIRE(a.sections.size() == b.sections.size());
  for (std::size_t s = 0; s < a.sections.size(); ++s) {
    const auto& x = a.sections[s];
    const auto& y = b.sections[s];
    CHECK(x.section == y.section);
    CHECK(x.name == y.name);
    CHECK(x.price == y.price);
    REQUIRE(x.rows.size() == y.rows.size());
    for (std::size_t r = 0; r < x.rows.size(); ++r) {
      CHECK(x.rows[r].row == y.rows[r].row);
      CHECK(x.rows[r].seat_numbers == y.rows[r].seat_numbers);
    }
  }
}

} // namespace tt::tests
