#include <doctest/doctest.h>

#include <set>
#include <string>

#include "storage/errc.hpp"

using tt::storage::errc;

TEST_CASE("every storage error code has its own name") {
  std::set<std::string> names;
  for (auto raw = static_cast<int>(errc::io_error); raw <= static_cast<int>(errc::internal);
       ++raw) {
    auto name = std::string(to_string(static_cast<errc>(raw)));
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == static_cast<std::size_t>(errc::internal));
}

TEST_CASE("a storage error prints its code and message") {
  tt::storage::storage_error error{errc::no_space, "write a group of 3 commits"};
  CHECK(to_string(error) == "no_space: write a group of 3 commits");
}
