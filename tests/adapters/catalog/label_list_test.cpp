#include "adapters/catalog/label_list.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tt::adapters::catalog::label_list;

namespace {

std::vector<std::string> expand(std::string_view spec, std::size_t max_count = 1000) {
  label_list list{max_count, {}};
  auto added = list.add(spec, "seats");
  REQUIRE(added.has_value());
  auto labels = list.expand("seats");
  REQUIRE(labels.has_value());
  CHECK(labels->size() == list.count());
  return *labels;
}

std::string reason_of_add(std::string_view spec, std::size_t max_count = 1000) {
  label_list list{max_count, {}};
  auto added = list.add(spec, "seats");
  REQUIRE_FALSE(added.has_value());
  CHECK(added.error().code == tt::errc::invalid_argument);
  CHECK(added.error().details.at(0).field == "seats");
  return added.error().details.at(0).reason;
}

} // namespace

TEST_CASE("items expand in written order, ranges ascending") {
  CHECK(expand("1-3") == std::vector<std::string>{"1", "2", "3"});
  CHECK(expand("7") == std::vector<std::string>{"7"});
  CHECK(expand("10-12,1,3-4") == std::vector<std::string>{"10", "11", "12", "1", "3", "4"});
  CHECK(expand(" 1 - 2 , 12A ,B_3") == std::vector<std::string>{"1", "2", "12A", "B_3"});
  CHECK(expand("0-1") == std::vector<std::string>{"0", "1"});
  CHECK(expand("5-5") == std::vector<std::string>{"5"});
  CHECK(expand("01") == std::vector<std::string>{"01"}); // a plain label keeps its spelling
}

TEST_CASE("several specs append to one list") {
  label_list list{10, {}};
  REQUIRE(list.add("4", "s[0]").has_value());
  REQUIRE(list.add("1-3", "s[1]").has_value());
  CHECK(list.count() == 4);
  CHECK(*list.expand("s") == std::vector<std::string>{"4", "1", "2", "3"});
}

TEST_CASE("malformed items are refused") {
  CHECK(reason_of_add("5-1").find("must ascend") != std::string::npos);
  CHECK(reason_of_add("").find("must not be empty") == 0);
  CHECK(reason_of_add("  ").find("must not be empty") == 0);
  CHECK(reason_of_add("1,,2").find("empty item") == 0);
  CHECK(reason_of_add("1,").find("empty item") == 0);
  CHECK(reason_of_add("01-10").find("a range is N-M") == 0); // leading zero in a bound
  CHECK(reason_of_add("1-").find("a range is N-M") == 0);
  CHECK(reason_of_add("-1").find("a range is N-M") == 0);
  CHECK(reason_of_add("1-2-3").find("a range is N-M") == 0);
  CHECK(reason_of_add("A-C").find("a range is N-M") == 0);
  CHECK(reason_of_add("1-1234567890").find("a range is N-M") == 0); // ten digits
  CHECK(reason_of_add("12 B").find("invalid label") == 0);
  CHECK(reason_of_add("ABCDEFGHIJKLMNOPQRSTU").find("invalid label") == 0); // 21 characters
  CHECK(reason_of_add("좌석").find("invalid label") == 0);
}

TEST_CASE("the count limit is checked before anything is expanded") {
  CHECK(reason_of_add("1-1001") == "more than 1000 entries");
  CHECK(reason_of_add("0-999999999") == "more than 1000 entries");
  CHECK(reason_of_add("1-600,1-600") == "more than 1000 entries");
  CHECK(reason_of_add("1,2,3", 2) == "more than 2 entries");
  CHECK(expand("1-1000").size() == 1000);
}

TEST_CASE("a repeated label is refused on expansion") {
  label_list list{1000, {}};
  REQUIRE(list.add("1-5,3", "seats").has_value());
  auto labels = list.expand("seats");
  REQUIRE_FALSE(labels.has_value());
  CHECK(labels.error().details.at(0).field == "seats");
  CHECK(labels.error().details.at(0).value == "3");
}
