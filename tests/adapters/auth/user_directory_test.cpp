// Users over a real RocksDB store in a temporary directory: registered durably, names unique
// regardless of case, passwords checked against their Argon2id hash, kept across a reopen.
#include "adapters/auth/user_directory.hpp"

#include <doctest/doctest.h>

#include <future>

#include "storage/rocksdb_snapshot_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt;
using namespace tt::adapters::auth;
using namespace std::chrono_literals;

namespace {

const timestamp now{1'700'000'000'000ms};

std::unique_ptr<storage::rocksdb_snapshot_store> open_store(const std::filesystem::path& dir) {
  auto opened = storage::rocksdb_snapshot_store::open(dir, {});
  REQUIRE(std::holds_alternative<std::unique_ptr<storage::rocksdb_snapshot_store>>(opened));
  return std::get<std::unique_ptr<storage::rocksdb_snapshot_store>>(std::move(opened));
}

result<user_record> add(user_directory& users, new_user u) {
  std::promise<result<user_record>> done;
  users.add(std::move(u), now, [&](result<user_record> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

} // namespace

TEST_CASE("a registered user logs in with its password only, and survives a reopen") {
  tests::temp_dir tmp;
  std::string id;
  {
    auto store = open_store(tmp.path() / "db");
    auto users = user_directory::open(store.get()).value();
    auto ann = add(*users, {"Ann", "correct horse", "ann@example.com", ""});
    REQUIRE(ann);
    CHECK(ann->display_name == "Ann");
    CHECK(ann->role == "user");
    CHECK(ann->user_id.rfind("u-", 0) == 0);
    id = ann->user_id;
    CHECK(users->authenticate("ann", "correct horse")->user_id == id);
    auto wrong = users->authenticate("Ann", "wrong horse");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == errc::unauthenticated);
    CHECK(users->authenticate("nobody", "correct horse").error().code == errc::unauthenticated);
    REQUIRE_FALSE(store->close());
  }
  auto store = open_store(tmp.path() / "db");
  auto users = user_directory::open(store.get()).value();
  auto again = users->authenticate("ANN", "correct horse");
  REQUIRE(again);
  CHECK(again->user_id == id);
  CHECK(again->email == "ann@example.com");
  REQUIRE_FALSE(store->close());
}

TEST_CASE("a name is taken whatever its case, and bad fields are named") {
  tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  auto users = user_directory::open(store.get()).value();
  REQUIRE(add(*users, {"bob", "password-1", "", ""}));
  auto twice = add(*users, {"BOB", "password-2", "", ""});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == errc::already_exists);
  auto check_field = [&](new_user u, const std::string& field) {
    auto r = add(*users, std::move(u));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    REQUIRE(r.error().details.size() == 1);
    CHECK(r.error().details[0].field == field);
  };
  check_field({"x", "password-1", "", ""}, "username");
  check_field({"has space", "password-1", "", ""}, "username");
  check_field({"carol", "short", "", ""}, "password");
  check_field({"carol", "password-1", "not-an-address", ""}, "email");
  check_field({"carol", "password-1", "", std::string(65, 'd')}, "display_name");
  REQUIRE_FALSE(store->close());
}
