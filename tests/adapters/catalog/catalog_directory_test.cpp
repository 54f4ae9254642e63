#include "adapters/catalog/catalog_directory.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <string>

#include "adapters/catalog/schema_text.hpp"
#include "tests/adapters/catalog/catalog_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::adapters::catalog;
using tt::tests::event_json;
using tt::tests::event_yaml;
using tt::tests::seat_count;
using tt::tests::with;

namespace {

void write(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
  REQUIRE(out.good());
}

std::size_t sellable(const tt::domain::event_definition& def) {
  return seat_count(def) - def.blocked_seats.size();
}

std::set<int64_t> prices(const tt::domain::event_definition& def) {
  std::set<int64_t> tiers;
  for (const auto& section : def.sections)
    tiers.insert(section.price);
  return tiers;
}

} // namespace

TEST_CASE("the shipped sample catalog loads with its advertised seat counts") {
  auto events = load_catalog_directory(TT_SAMPLE_CATALOG);
  REQUIRE_MESSAGE(events.has_value(), (events ? "" : events.error().message));
  REQUIRE(events->size() == 2); // README.md in the same directory is not an event

  const auto& hall = (*events)[0]; // hall.yaml sorts before stadium.yaml
  CHECK(hall.id == tt::event_id{"sac-gala-2027-12-31"});
  CHECK(hall.sections.size() == 3);
  CHECK(seat_count(hall) == 2'000);
  CHECK(hall.blocked_seats.size() == 4);
  CHECK(sellable(hall) == 1'996);
  CHECK(prices(hall) == std::set<int64_t>{70'000, 110'000, 150'000});
  // The gap in the 2nd-floor front row survives: seat 20 is adjacent to seat 23.
  const auto& front = hall.sections[1].rows[0].seat_numbers;
  REQUIRE(front.size() == 40);
  CHECK(front[19] == "20");
  CHECK(front[20] == "23");

  const auto& stadium = (*events)[1];
  CHECK(stadium.id == tt::event_id{"jamsil-stadium-tour-2027"});
  CHECK(stadium.sections.size() == 56);
  CHECK(seat_count(stadium) == 50'000);
  CHECK(stadium.blocked_seats.size() == 6);
  CHECK(sellable(stadium) == 49'994);
  CHECK(prices(stadium) == std::set<int64_t>{99'000, 132'000, 165'000, 198'000});

  // Both are on sale from November 2026 through the end of 2027 (fixed instants, no clock read).
  for (const auto& def : *events) {
    CHECK(def.sale_starts_at <= *parse_rfc3339("2026-11-01T12:00:00Z"));
    CHECK(def.sale_ends_at >= *parse_rfc3339("2027-12-31T00:00:00Z"));
  }
}

TEST_CASE("files load in name order, YAML and JSON alike, other files ignored") {
  tt::tests::temp_dir dir;
  write(dir.path() / "b.json", with(event_json, "hall-2026-12-31", "event-b"));
  write(dir.path() / "a.yml", with(event_yaml, "hall-2026-12-31", "event-a"));
  write(dir.path() / "c.yaml", with(event_yaml, "hall-2026-12-31", "event-c"));
  write(dir.path() / "notes.txt", "not an event");
  write(dir.path() / "d.yaml.bak", "not: [an event");
  std::filesystem::create_directory(dir.path() / "e.yaml"); // a directory, not a file
  auto events = load_catalog_directory(dir.path());
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].id == tt::event_id{"event-a"});
  CHECK((*events)[1].id == tt::event_id{"event-b"});
  CHECK((*events)[2].id == tt::event_id{"event-c"});
}

TEST_CASE("an empty directory is an empty catalog") {
  tt::tests::temp_dir dir;
  auto events = load_catalog_directory(dir.path());
  REQUIRE(events.has_value());
  CHECK(events->empty());
}

TEST_CASE("a bad file fails the load and is named with the field path") {
  tt::tests::temp_dir dir;
  write(dir.path() / "good.yaml", event_yaml);
  write(dir.path() / "stadium.yaml",
        with(with(event_yaml, "hall-2026-12-31", "other"), "price: 80000", "price: 0"));
  auto events = load_catalog_directory(dir.path());
  REQUIRE_FALSE(events.has_value());
  const auto& error = events.error();
  CHECK(error.code == tt::errc::invalid_argument);
  CHECK(error.message == "stadium.yaml: sections[1].price: must be positive");
  REQUIRE(error.details.size() == 2);
  CHECK(error.details[0].field == "sections[1].price");
  CHECK(error.details[1].field == "file");
  CHECK(error.details[1].value == "stadium.yaml");
}

TEST_CASE("the same event id in two files is refused naming both files") {
  tt::tests::temp_dir dir;
  write(dir.path() / "first.yaml", event_yaml);
  write(dir.path() / "second.json", event_json);
  auto events = load_catalog_directory(dir.path());
  REQUIRE_FALSE(events.has_value());
  const auto& error = events.error();
  CHECK(error.code == tt::errc::invalid_argument);
  CHECK(error.message.find("second.json") != std::string::npos);
  CHECK(error.message.find("first.yaml") != std::string::npos);
  REQUIRE(error.details.size() == 3);
  CHECK(error.details[0].field == "event_id");
  CHECK(error.details[0].value == "hall-2026-12-31");
  CHECK(error.details[1].value == "first.yaml");
  CHECK(error.details[2].value == "second.json");
}

TEST_CASE("directory-level limits and failures") {
  tt::tests::temp_dir dir;
  write(dir.path() / "a.yaml", with(event_yaml, "hall-2026-12-31", "event-a"));
  write(dir.path() / "b.yaml", with(event_yaml, "hall-2026-12-31", "event-b"));

  format_limits one_file;
  one_file.max_files = 1;
  CHECK(load_catalog_directory(dir.path(), one_file).error().details.at(0).field == "directory");

  format_limits tiny;
  tiny.max_input_bytes = 64; // refused from the file's size, before it is read
  auto too_big = load_catalog_directory(dir.path(), tiny);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().message == "a.yaml: document: larger than 64 bytes");

  auto missing = load_catalog_directory(dir.path() / "nowhere");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == tt::errc::not_found);

  auto not_a_directory = load_catalog_directory(dir.path() / "a.yaml");
  REQUIRE_FALSE(not_a_directory.has_value());
  CHECK(not_a_directory.error().code == tt::errc::invalid_argument);
}

TEST_CASE("a file name that is not UTF-8 is reported in a printable form") {
  tt::tests::temp_dir dir;
  write(dir.path() / "caf\xE9.yaml", "not: [an event");
  auto events = load_catalog_directory(dir.path());
  REQUIRE_FALSE(events.has_value());
  CHECK(events.error().details.back().value == "caf?.yaml");
  CHECK(first_invalid_utf8(events.error().message) == std::string_view::npos);
}

TEST_CASE("the catalog cache parses again only when a catalog file changed") {
  tt::tests::temp_dir dir;
  write(dir.path() / "a.yaml", with(event_yaml, "hall-2026-12-31", "event-a"));
  catalog_cache cache{dir.path()};
  auto first = cache.load();
  REQUIRE(first.has_value());
  REQUIRE((*first)->size() == 1);
  auto again = cache.load();
  REQUIRE(again.has_value());
  CHECK(again->get() == first->get()); // unchanged: the same parse

  write(dir.path() / "notes.txt", "not an event"); // not a catalog file
  CHECK(cache.load()->get() == first->get());

  write(dir.path() / "b.json", with(event_json, "hall-2026-12-31", "event-b"));
  auto added = cache.load();
  REQUIRE(added.has_value());
  CHECK((*added)->size() == 2);

  write(dir.path() / "b.json", with(event_json, "hall-2026-12-31", "event-b-renamed"));
  auto changed = cache.load();
  REQUIRE(changed.has_value());
  REQUIRE((*changed)->size() == 2);
  CHECK((*changed)->at(1).id == tt::event_id{"event-b-renamed"});

  write(dir.path() / "b.json", "{ broken");
  auto broken = cache.load();
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().message.find("b.json") != std::string::npos);

  std::filesystem::remove(dir.path() / "b.json");
  auto removed = cache.load();
  REQUIRE(removed.has_value());
  CHECK((*removed)->size() == 1);
  CHECK(removed->get() != first->get()); // parsed again after the failure
}
