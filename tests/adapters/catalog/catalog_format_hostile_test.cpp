// Hostile input: every case must come back as errc::invalid_argument, quickly, without an
// exception, a crash, or an allocation proportional to what the text claims to describe.

#include "adapters/catalog/catalog_format.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "tests/adapters/catalog/catalog_fixture.hpp"

using namespace tt::adapters::catalog;
using tt::tests::event_json;
using tt::tests::event_yaml;
using tt::tests::field_of;
using tt::tests::with;

namespace {

const std::string header = "event_id: e\nname: n\nsale_starts_at: 2026-11-01T00:00:00Z\n"
                           "sale_ends_at: 2027-11-01T00:00:00Z\n";

std::string reason_of(const tt::result<tt::domain::event_definition>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().details.front().reason;
}

} // namespace

TEST_CASE("input over the size limit is refused before parsing") {
  std::string big(format_limits{}.max_input_bytes + 1, ' ');
  CHECK(field_of(parse_event_yaml(big)) == "document");
  CHECK(field_of(parse_event_json(big)) == "document");
  format_limits small;
  small.max_input_bytes = 100;
  CHECK(reason_of(parse_event_yaml(event_yaml, small)).find("larger than 100") == 0);
}

TEST_CASE("ranges that would expand to billions of seats are refused before expanding") {
  auto bomb = header + "sections:\n  - section: A\n    price: 1\n    rows:\n"
                       "      - rows: \"1-999999999\"\n        seats: \"1-999999999\"\n";
  CHECK(field_of(parse_event_yaml(bomb)) == "sections[0].rows[0].rows");
  CHECK(reason_of(parse_event_yaml(bomb)) == "more than 1000 entries");

  // Each list is within its own limit, but together they make 1,000,000 seats.
  auto square = header + "sections:\n  - section: A\n    price: 1\n    rows:\n"
                         "      - rows: \"1-1000\"\n        seats: \"1-1000\"\n";
  CHECK(field_of(parse_event_yaml(square)) == "sections[0].rows[0]");
  CHECK(reason_of(parse_event_yaml(square)) == "the event would have more than 100000 seats");

  std::string items;
  for (int i = 0; i < 100'000; ++i)
    items += "1,";
  auto many_items = header +
                    "sections:\n  - section: A\n    price: 1\n    rows:\n"
                    "      - row: 1\n        seats: \"" +
                    items + "1\"\n";
  CHECK(reason_of(parse_event_yaml(many_items)) == "more than 1000 entries");
}

TEST_CASE("YAML aliases cannot multiply the work past the input") {
  // Every section repeats one 100,000-seat section: the seat limit stops the second one.
  std::string sections = "sections:\n  - &s\n    section: A\n    price: 1\n    rows:\n"
                         "      - {rows: \"1-100\", seats: \"1-1000\"}\n";
  for (int i = 0; i < 500; ++i)
    sections += "  - *s\n";
  CHECK(field_of(parse_event_yaml(header + sections)) == "sections[1].rows[0]");

  // One long list text reused by many rows: the text read may not exceed the input's size.
  std::string padded = "\"1" + std::string(100'000, ' ') + "\"";
  std::string rows = "sections:\n  - section: A\n    price: 1\n    rows:\n"
                     "      - {row: r0, seats: &p " +
                     padded + "}\n";
  for (int i = 1; i < 200; ++i)
    rows += "      - {row: r" + std::to_string(i) + ", seats: *p}\n";
  CHECK(reason_of(parse_event_yaml(header + rows)) == "lists expand past the size of the input");

  // A value that contains itself (or a reference to an anchor not yet complete) is refused.
  CHECK_FALSE(parse_event_yaml(header + "sections: &c [*c]\n").has_value());
  CHECK_FALSE(parse_event_yaml(header + "sections: [*nowhere]\n").has_value());
}

TEST_CASE("deep nesting is refused without recursing into it") {
  const std::size_t depth = 100'000;
  auto yaml = header + "sections: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
  CHECK(field_of(parse_event_yaml(yaml)) == "document");
  CHECK(reason_of(parse_event_yaml(yaml)).find("nested too deeply at line 5") == 0);
  auto json = "{\"sections\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
  CHECK(reason_of(parse_event_json(json)) == "nested deeper than 64 levels at byte 76");
  std::string block = header + "sections:\n";
  for (std::size_t i = 1; i < 2500; ++i)
    block += std::string(i, ' ') + "- \n";
  CHECK_FALSE(parse_event_yaml(block).has_value());
}

TEST_CASE("text that is not UTF-8, or holds NUL, is refused") {
  auto latin1 = with(event_yaml, "Balcony", "Balc\xF3n");
  CHECK(reason_of(parse_event_yaml(latin1)).find("not valid UTF-8 at byte") == 0);
  CHECK(field_of(parse_event_json(with(event_json, "Balcony", "\xED\xA0\x80"))) == "document");
  CHECK(field_of(parse_event_yaml(with(event_yaml, "Balcony", std::string{"Bal\0c", 5}))) ==
        "document");
  // A YAML escape can spell a lone surrogate even though the file itself is valid UTF-8.
  CHECK_FALSE(parse_event_yaml(with(event_yaml, "Balcony", "\"\\ud800\"")).has_value());
  // Valid multi-byte text is fine.
  auto korean = parse_event_yaml(with(event_yaml, "Balcony", "2층 발코니"));
  REQUIRE(korean.has_value());
  CHECK(korean->sections[1].name == "2층 발코니");
}

TEST_CASE("numbers beyond any integer are refused") {
  CHECK(field_of(parse_event_json(with(event_json, "150000", "1e400"))) == "document");
  CHECK(field_of(parse_event_json(with(event_json, "150000", std::string(400, '9')))) ==
        "document"); // nlohmann refuses the overflow while parsing
  CHECK(field_of(parse_event_yaml(with(event_yaml, "150000", std::string(400, '9')))) ==
        "sections[0].price");
}

TEST_CASE("randomly corrupted documents never throw and fail only as invalid_argument") {
  std::mt19937 random{20261125}; // fixed seed: the same corruptions on every run
  for (int round = 0; round < 3000; ++round) {
    std::string text{round % 2 == 0 ? event_yaml : event_json};
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          text.erase(at, 1 + random() % 8);
          break;
        default:
          text.insert(at, std::string(1 + random() % 3, "[]{}:-,\"'&*!|>\n "[random() % 16]));
          break;
      }
    }
    auto r = round % 2 == 0 ? parse_event_yaml(text) : parse_event_json(text);
    if (!r.has_value()) {
      CAPTURE(text);
      REQUIRE(r.error().code == tt::errc::invalid_argument);
      REQUIRE_FALSE(r.error().details.empty());
    }
  }
}
