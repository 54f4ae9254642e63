#include "actors/common/segmented_map.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "actors/common/clock.hpp"
#include "actors/common/deadline_index.hpp"

using namespace std::chrono_literals;

namespace {

struct counted {
  int value = 0;
  uint32_t deadline_entries = 0;
};
using table = tt::segmented_map<std::string, counted>;

} // namespace

TEST_CASE("a segmented map finds, adds and erases like one map") {
  table m;
  CHECK(m.empty());
  auto [a, made] = m.try_emplace("a", counted{1});
  CHECK(made);
  CHECK_FALSE(m.try_emplace("a", counted{2}).second); // kept, not replaced
  CHECK(m.at("a").value == 1);
  CHECK(m.find("b") == nullptr);
  CHECK(m.find("a") == a);
  CHECK(m.contains("a"));
  CHECK_FALSE(m.contains("b"));
  const table& read_only = m;
  CHECK(read_only.at("a").value == 1);
  CHECK_THROWS_AS((void)read_only.at("b"), std::out_of_range);
  CHECK(m.size() == 1);
  CHECK(m.erase("b") == 0);
  CHECK(m.erase("a") == 1);
  CHECK(m.empty());
}

TEST_CASE("elements stay put while the segments grow, and every one is visited") {
  table m;
  auto* first = m.try_emplace("key-0", counted{0}).first;
  for (int i = 1; i < 20'000; ++i)
    m.try_emplace("key-" + std::to_string(i), counted{i});
  CHECK(m.find("key-0") == first); // pointers survive the rehashes deadline_index relies on
  CHECK(m.size() == 20'000);
  long sum = 0;
  size_t seen = 0;
  m.for_each([&](table::value_type& e) {
    sum += e.second.value;
    ++seen;
  });
  CHECK(seen == 20'000);
  CHECK(sum == 19'999L * 20'000 / 2);
  const table& read_only = m;
  seen = 0;
  read_only.for_each([&](const table::value_type&) { ++seen; });
  CHECK(seen == 20'000);
}

TEST_CASE("a deadline index over a segmented map erases at the last deadline") {
  table m;
  tt::deadline_index<table> index;
  const tt::timestamp t0{1'000'000ms};
  auto& e = *m.try_emplace("k").first;
  index.add(t0 + 1s, e);
  index.add(t0 + 3s, e); // moved later
  CHECK(index.sweep(m, t0 + 2s) == 0);
  CHECK(m.find("k") != nullptr);
  CHECK(index.sweep(m, t0 + 3s) == 1);
  CHECK(m.empty());
  CHECK(index.size() == 0);
}
