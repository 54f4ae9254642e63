#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "storage/data_directory.hpp"
#include "tests/support/temp_dir.hpp"

using tt::storage::data_directory;

TEST_CASE("opening creates the directory and the probe writes and syncs") {
  tt::tests::temp_dir tmp;
  auto opened = data_directory::open(tmp.path() / "a" / "b");
  REQUIRE(std::holds_alternative<std::unique_ptr<data_directory>>(opened));
  auto& dir = *std::get<0>(opened);
  auto probe = dir.probe();
  CHECK(probe.writable);
  CHECK(probe.error.empty());
  CHECK(probe.free_bytes > 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() / ".health-probe"));
}

TEST_CASE("a second opener of the same directory is refused while the first holds it") {
  tt::tests::temp_dir tmp;
  auto first = data_directory::open(tmp.path());
  REQUIRE(std::holds_alternative<std::unique_ptr<data_directory>>(first));
  auto second = data_directory::open(tmp.path());
  REQUIRE(std::holds_alternative<std::string>(second));
  CHECK(std::get<std::string>(second).find("in use by another node") != std::string::npos);
  std::get<0>(first).reset();
  CHECK(std::holds_alternative<std::unique_ptr<data_directory>>(data_directory::open(tmp.path())));
}

TEST_CASE("a path that is a file is refused") {
  tt::tests::temp_dir tmp;
  auto file = tmp.path() / "plain";
  std::ofstream(file) << "x";
  auto opened = data_directory::open(file);
  REQUIRE(std::holds_alternative<std::string>(opened));
}

TEST_CASE("the probe reports a vanished directory") {
  tt::tests::temp_dir tmp;
  auto opened = data_directory::open(tmp.path() / "d");
  REQUIRE(std::holds_alternative<std::unique_ptr<data_directory>>(opened));
  std::filesystem::remove_all(tmp.path() / "d");
  auto probe = std::get<0>(opened)->probe();
  CHECK_FALSE(probe.writable);
  CHECK(probe.error.find("cannot create") != std::string::npos);
}
