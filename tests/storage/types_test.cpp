#include <doctest/doctest.h>

#include <set>
#include <string>

#include "storage/types.hpp"

using tt::storage::entity_kind;

TEST_CASE("every entity kind has its own column family name") {
  std::set<std::string> names;
  for (auto kind : tt::storage::all_entity_kinds) {
    CHECK(tt::storage::is_valid(kind));
    names.insert(std::string(to_string(kind)));
  }
  CHECK(names.size() == tt::storage::all_entity_kinds.size());
  CHECK_FALSE(names.count("default"));
}

TEST_CASE("only idempotency records expire, and out-of-range kinds are invalid") {
  for (auto kind : tt::storage::all_entity_kinds)
    CHECK(tt::storage::has_ttl(kind) == (kind == entity_kind::idempotency));
  CHECK_FALSE(tt::storage::is_valid(static_cast<entity_kind>(200)));
}
