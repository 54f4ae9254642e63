#include "adapters/catalog/catalog_format.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "adapters/catalog/schema_text.hpp"
#include "tests/adapters/catalog/catalog_fixture.hpp"

using namespace tt::adapters::catalog;
using tt::tests::event_json;
using tt::tests::event_yaml;
using tt::tests::field_of;
using tt::tests::with;

namespace {

std::vector<std::string> numbers(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

} // namespace

TEST_CASE("the same event in YAML and JSON gives the same definition") {
  auto from_yaml = parse_event_yaml(event_yaml);
  auto from_json = parse_event_json(event_json);
  REQUIRE(from_yaml.has_value());
  REQUIRE(from_json.has_value());
  tt::tests::check_same(*from_yaml, *from_json);

  const auto& def = *from_yaml;
  CHECK(def.id == tt::event_id{"hall-2026-12-31"});
  CHECK(def.venue == "Seoul Arts Center Concert Hall");
  CHECK(def.sale_starts_at == *parse_rfc3339("2026-11-01T00:00:00Z"));
  CHECK(def.sale_ends_at == *parse_rfc3339("2027-12-31T18:00:00Z"));
  CHECK(def.sections[1].price == 80'000);
  CHECK(def.blocked_seats == std::vector<tt::seat_id>{tt::seat_id{"A-1-1"}, tt::seat_id{"B-1-4"}});
  CHECK(tt::tests::seat_count(def) == 16);
}

TEST_CASE("ranges, lists and the rows shorthand expand in written order") {
  auto def = parse_event_yaml(event_yaml);
  REQUIRE(def.has_value());
  const auto& a = def->sections[0];
  REQUIRE(a.rows.size() == 3);
  CHECK(a.rows[0].row == "1");
  CHECK(a.rows[0].seat_numbers == numbers({"1", "2", "3"}));
  // The shorthand gives each row its own copy of the list, in the list's order (= adjacency).
  CHECK(a.rows[1].row == "2");
  CHECK(a.rows[2].row == "3");
  CHECK(a.rows[1].seat_numbers == numbers({"4", "1", "2", "3", "5"}));
  CHECK(a.rows[2].seat_numbers == a.rows[1].seat_numbers);
  CHECK(def->sections[1].rows[0].row == "1");
  CHECK(def->sections[1].rows[0].seat_numbers == numbers({"1", "2", "4"}));
}

TEST_CASE("optional keys take their defaults") {
  auto text = with(event_yaml, "venue: Seoul Arts Center Concert Hall\n", "");
  text = with(text, "currency: KRW\n", "");
  text = with(text, "    name: Balcony\n", "");
  text = with(text, "blocked_seats: [A-1-1, B-1-4]\n", "");
  auto def = parse_event_yaml(text);
  REQUIRE(def.has_value());
  CHECK(def->venue.empty());
  CHECK(def->currency == "KRW");
  CHECK(def->sections[1].name == "B"); // a section's display name defaults to its label
  CHECK(def->blocked_seats.empty());
}

TEST_CASE("timestamps with an offset or a fraction name the same instant as UTC") {
  auto text = with(event_yaml, "2026-11-01T00:00:00Z", "2026-11-01T09:00:00.250+09:00");
  auto def = parse_event_yaml(text);
  REQUIRE(def.has_value());
  CHECK(def->sale_starts_at == *parse_rfc3339("2026-11-01T00:00:00.250Z"));
}

TEST_CASE("each malformed YAML value is rejected with its field path") {
  struct bad_case {
    const char* from;
    const char* to;
    const char* field;
  };
  const bad_case cases[] = {
      {"price: 150000", "price: \"150000\"", "sections[0].price"}, // a string, not a number
      {"price: 150000", "price: 1.5e5", "sections[0].price"},      // not an integer
      {"price: 150000", "price: 99999999999999999999", "sections[0].price"}, // past int64
      {"price: 150000", "price: 0", "sections[0].price"},
      {"price: 150000", "price: -5", "sections[0].price"},
      {"price: 150000", "price: [1]", "sections[0].price"},
      {"2026-11-01T00:00:00Z", "2026-02-30T00:00:00Z", "sale_starts_at"},
      {"2026-11-01T00:00:00Z", "2026-11-01 00:00", "sale_starts_at"},
      {"2027-12-31T18:00:00Z", "2026-10-01T00:00:00Z", "sale_ends_at"}, // before the start
      {"seats: \"1-3\"", "seats: \"5-1\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"1-999999\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"1-3,2\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"1-3,,4\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"01-3\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"1-x\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: \"1 2\"", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: []", "sections[0].rows[0].seats"},
      {"seats: \"1-3\"", "seats: ~", "sections[0].rows[0].seats"},
      {"[4, \"1-3\", 5]", "[4, [1], 5]", "sections[0].rows[1].seats[1]"},
      {"[4, \"1-3\", 5]", "[4, \"1-3\", 3]", "sections[0].rows[1].seats"},
      {"rows: \"2-3\"", "rows: \"1-2\"", "sections[0].rows[1].rows"}, // row 1 defined twice
      {"rows: \"2-3\"", "rows: \"3-2\"", "sections[0].rows[1].rows"},
      {"      - row: 1\n", "      - row: 1-2\n", "sections[1].rows[0].row"},
      {"      - row: 1\n", "      - row: 1\n        rows: 2\n", "sections[1].rows[0]"},
      {"      - row: 1\n", "      - ro: 1\n", "sections[1].rows[0].ro"},
      {"    price: 80000\n", "    prise: 80000\n", "sections[1].prise"}, // typo: unknown key
      {"    price: 80000\n", "", "sections[1].price"},
      {"        seats: \"1-2, 4\"\n", "", "sections[1].rows[0].seats"},
      {"      - row: 1\n        seats: \"1-2, 4\"\n", "", "sections[1].rows"},
      {"currency: KRW\n", "currency: KRW\ncolour: red\n", "colour"},
      {"currency: KRW\n", "currency: KRW\nvenue: Lotte Concert Hall\n", "venue"}, // duplicate
      {"name: New Year's Eve Gala\n", "", "name"},
      {"name: New Year's Eve Gala", "name: ~", "name"},
      {"name: New Year's Eve Gala", "name: [Gala]", "name"},
      {"name: New Year's Eve Gala", "name: {a: b}", "name"},
      {"event_id: hall-2026-12-31", "event_id: hall 2026", "event_id"},
      {"section: A\n", "section: \"A-1\"\n", "sections[0].section"},
      {"section: A\n", "section: ABCDEFGHIJKLMNOPQRSTUVWXYZ\n", "sections[0].section"},
      {"section: A\n", "section: B\n", "sections[1].section"}, // duplicate section
      {"currency: KRW", "currency: USD", "currency"},
      {"[A-1-1, B-1-4]", "[A-9-9]", "blocked_seats[0]"},
      {"[A-1-1, B-1-4]", "[A-1-1, A-1-1]", "blocked_seats[1]"},
      {"[A-1-1, B-1-4]", "A-1-1", "blocked_seats"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.to);
    CHECK(field_of(parse_event_yaml(with(event_yaml, c.from, c.to))) == c.field);
  }
}

TEST_CASE("overlong strings are rejected before they are copied") {
  std::string long_name(300, 'x');
  CHECK(field_of(parse_event_yaml(with(event_yaml, "New Year's Eve Gala", long_name))) == "name");
  CHECK(field_of(parse_event_yaml(with(event_yaml, "Orchestra A", long_name))) ==
        "sections[0].name");
  std::string long_id(65, 'h');
  CHECK(field_of(parse_event_json(with(event_json, "hall-2026-12-31", long_id))) == "event_id");
}

TEST_CASE("each malformed JSON value is rejected with its field path") {
  struct bad_case {
    const char* from;
    const char* to;
    const char* field;
  };
  const bad_case cases[] = {
      {"\"price\": 150000", "\"price\": \"150000\"", "sections[0].price"},
      {"\"price\": 150000", "\"price\": 150000.0", "sections[0].price"},
      {"\"price\": 150000", "\"price\": 18446744073709551615", "sections[0].price"},
      {"\"price\": 150000", "\"price\": true", "sections[0].price"},
      {"\"seats\": \"1-3\"", "\"seats\": \"5-1\"", "sections[0].rows[0].seats"},
      {"[4, \"1-3\", 5]", "[4, null, 5]", "sections[0].rows[1].seats[1]"},
      {"\"sale_ends_at\": \"2027-12-31T18:00:00Z\"", "\"sale_ends_at\": 1830000000",
       "sale_ends_at"},
      {"\"name\": \"New Year's Eve Gala\"", "\"name\": false", "name"},
      {"\"name\": \"New Year's Eve Gala\",", "", "name"},
      {"\"currency\": \"KRW\",", "\"currency\": \"KRW\", \"Currency\": \"KRW\",", "Currency"},
      {"\"currency\": \"KRW\",", "\"currency\": \"KRW\", \"currency\": \"KRW\",", "document"},
      {"\"blocked_seats\": [\"A-1-1\", \"B-1-4\"]", "\"blocked_seats\": {}", "blocked_seats"},
      {"\"blocked_seats\": [\"A-1-1\", \"B-1-4\"]", "\"blocked_seats\": [1]", "blocked_seats[0]"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.to);
    CHECK(field_of(parse_event_json(with(event_json, c.from, c.to))) == c.field);
  }
  CHECK(field_of(parse_event_json("[]")) == "document");
  CHECK(field_of(parse_event_json(std::string{event_json} + "}")) == "document");
  CHECK(field_of(parse_event_json("")) == "document");
}

TEST_CASE("sections must be a non-empty list") {
  const std::string header = "event_id: e\nname: n\nsale_starts_at: 2026-11-01T00:00:00Z\n"
                             "sale_ends_at: 2027-11-01T00:00:00Z\n";
  CHECK(field_of(parse_event_yaml(header + "sections: 5\n")) == "sections");
  CHECK(field_of(parse_event_yaml(header + "sections: []\n")) == "sections");
  CHECK(field_of(parse_event_yaml(header + "sections: {A: 1}\n")) == "sections");
  CHECK(field_of(parse_event_yaml(header)) == "sections");
}

TEST_CASE("a YAML file holds exactly one event as a mapping") {
  CHECK(field_of(parse_event_yaml("")) == "document");
  CHECK(field_of(parse_event_yaml("- a\n- b\n")) == "document");
  CHECK(field_of(parse_event_yaml(std::string{event_yaml} + "---\n" + std::string{event_yaml})) ==
        "document");
  CHECK(field_of(parse_event_yaml("name: [unclosed\n")) == "document");
  CHECK(field_of(parse_event_yaml("? [a]\n: b\n")) == "document");
}

TEST_CASE("the error message leads with the field path") {
  auto r = parse_event_yaml(with(event_yaml, "seats: \"1-3\"", "seats: \"5-1\""));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind("sections[0].rows[0].seats: ", 0) == 0);
  CHECK(r.error().details.front().value == "5-1");
}
