#include <doctest/doctest.h>

#include <fstream>
#include <rocksdb/db.h>

#include "tests/storage/store_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::storage;
using tt::tests::commit_and_wait;
using tt::tests::erase;
using tt::tests::open_store;
using tt::tests::put;
using tt::tests::read;

namespace {

using scanned = std::vector<std::pair<std::string, std::string>>;

scanned scan_all(const snapshot_store& store, entity_kind kind, std::string_view prefix,
                 std::size_t limit = 1000) {
  scanned out;
  auto error = store.scan(kind, prefix, [&](std::string_view key, std::string_view value) {
    out.emplace_back(std::string(key), std::string(value));
    return out.size() < limit;
  });
  if (error)
    FAIL("scan failed: " << to_string(*error));
  return out;
}

} // namespace

TEST_CASE("a commit is visible to get and scan once on_durable has run") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  CHECK_FALSE(read(*store, entity_kind::seat, "E1/A1"));
  CHECK_FALSE(commit_and_wait(*store, {put(entity_kind::seat, "E1/A1", "held")}));
  CHECK(read(*store, entity_kind::seat, "E1/A1") == "held");
  CHECK(scan_all(*store, entity_kind::seat, "E1/") == scanned{{"E1/A1", "held"}});
  // Kinds are separate column families: the same key in another kind is another record.
  CHECK_FALSE(read(*store, entity_kind::reservation, "E1/A1"));
  CHECK(store->stats().commits == 1);
  CHECK_FALSE(store->health());
}

TEST_CASE("a batch across two kinds is applied whole, and a refused batch leaves nothing") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  CHECK_FALSE(commit_and_wait(*store, {put(entity_kind::seat, "E1/A1", "sold"),
                                       put(entity_kind::reservation, "R1", "confirmed")}));
  CHECK(read(*store, entity_kind::seat, "E1/A1") == "sold");
  CHECK(read(*store, entity_kind::reservation, "R1") == "confirmed");

  // The second mutation is invalid (a seat never expires): the first must not appear either.
  auto error = commit_and_wait(*store, {put(entity_kind::seat, "E1/A2", "held"),
                                        put(entity_kind::seat, "E1/A3", "held", 5000)});
  REQUIRE(error);
  CHECK(error->code == errc::invalid_argument);
  CHECK_FALSE(read(*store, entity_kind::seat, "E1/A2"));
  CHECK(store->stats().rejected_commits == 1);
}

TEST_CASE("invalid mutations are refused with invalid_argument") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  auto code = [&](mutation m) {
    auto error = commit_and_wait(*store, {std::move(m)});
    return error ? error->code : errc::internal;
  };
  CHECK(code(put(entity_kind::seat, "", "v")) == errc::invalid_argument);
  CHECK(code(put(static_cast<entity_kind>(42), "k", "v")) == errc::invalid_argument);
  CHECK(code(mutation{entity_kind::idempotency, "k", std::nullopt, 10}) == errc::invalid_argument);
}

TEST_CASE("deletes remove records, and a later batch wins over an earlier one") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  CHECK_FALSE(commit_and_wait(*store, {put(entity_kind::payment, "P1", "pending"),
                                       put(entity_kind::payment, "P2", "pending")}));
  CHECK_FALSE(commit_and_wait(
      *store, {erase(entity_kind::payment, "P1"), put(entity_kind::payment, "P2", "approved")}));
  CHECK_FALSE(read(*store, entity_kind::payment, "P1"));
  CHECK(read(*store, entity_kind::payment, "P2") == "approved");
  CHECK(scan_all(*store, entity_kind::payment, "") == scanned{{"P2", "approved"}});
}

TEST_CASE("scan visits only the prefix, in key order, and stops when asked") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  CHECK_FALSE(commit_and_wait(
      *store, {put(entity_kind::seat, "E1/B", "2"), put(entity_kind::seat, "E1/A", "1"),
               put(entity_kind::seat, "E10/A", "x"), put(entity_kind::seat, "E2/A", "y"),
               put(entity_kind::seat, "E1/C", "3")}));
  CHECK(scan_all(*store, entity_kind::seat, "E1/") ==
        scanned{{"E1/A", "1"}, {"E1/B", "2"}, {"E1/C", "3"}});
  CHECK(scan_all(*store, entity_kind::seat, "E1/", 2) == scanned{{"E1/A", "1"}, {"E1/B", "2"}});
  CHECK(scan_all(*store, entity_kind::seat, "E3/").empty());
  CHECK(scan_all(*store, entity_kind::seat, "").size() == 5);
}

TEST_CASE("a reopened store holds every acknowledged commit, including those drained by close") {
  tt::tests::temp_dir tmp;
  constexpr int n = 300;
  std::vector<std::future<std::optional<storage_error>>> acks;
  {
    auto store = open_store(tmp.path() / "db");
    for (int i = 0; i < n; ++i) {
      auto done = std::make_shared<std::promise<std::optional<storage_error>>>();
      acks.push_back(done->get_future());
      store->commit({put(entity_kind::reservation, "R" + std::to_string(i), std::to_string(i))},
                    [done](std::optional<storage_error> e) { done->set_value(e); });
    }
    CHECK_FALSE(store->close()); // without waiting: close drains
    auto refused = commit_and_wait(*store, {put(entity_kind::reservation, "late", "x")});
    REQUIRE(refused);
    CHECK(refused->code == errc::shutting_down);
    auto got = store->get(entity_kind::reservation, "R0");
    REQUIRE(std::holds_alternative<storage_error>(got));
    CHECK(std::get<storage_error>(got).code == errc::shutting_down);
    REQUIRE(store->health());
    CHECK(store->health()->code == errc::shutting_down);
  }
  for (auto& ack : acks)
    REQUIRE_FALSE(ack.get());
  auto store = open_store(tmp.path() / "db");
  for (int i = 0; i < n; ++i)
    CHECK(read(*store, entity_kind::reservation, "R" + std::to_string(i)) == std::to_string(i));
  CHECK_FALSE(read(*store, entity_kind::reservation, "late"));
}

TEST_CASE("opening on a plain file or a locked store is a clear error, not a crash") {
  tt::tests::temp_dir tmp;
  auto file = tmp.path() / "plain";
  std::ofstream(file) << "x";
  auto opened = rocksdb_snapshot_store::open(file, {});
  REQUIRE(std::holds_alternative<storage_error>(opened));
  auto error = std::get<storage_error>(opened);
  CHECK(error.code == errc::io_error);
  CHECK(error.message.find(file.string()) != std::string::npos);

  auto first = open_store(tmp.path() / "db");
  auto second = rocksdb_snapshot_store::open(tmp.path() / "db", {});
  REQUIRE(std::holds_alternative<storage_error>(second));
  CHECK(std::get<storage_error>(second).code == errc::io_error);
  CHECK(std::get<storage_error>(second).message.find("lock") != std::string::npos);
}

TEST_CASE("bytes that are not a valid record surface as errors on get and scan") {
  tt::tests::temp_dir tmp;
  auto path = tmp.path() / "db";
  {
    auto store = open_store(path);
    CHECK_FALSE(commit_and_wait(*store, {put(entity_kind::seat, "E1/A", "ok")}));
  }
  { // Plant raw bytes behind the store's back: a future version and a truncated header.
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (auto kind : all_entity_kinds)
      families.emplace_back(std::string(to_string(kind)), rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path.string(), families, &handles, &raw).ok());
    auto* seat = handles[1 + static_cast<std::size_t>(entity_kind::seat)];
    REQUIRE(raw->Put(rocksdb::WriteOptions(), seat, "E1/B", std::string("\x63\x00v", 3)).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), seat, "E1/C", std::string("\x01", 1)).ok());
    for (auto* handle : handles)
      REQUIRE(raw->DestroyColumnFamilyHandle(handle).ok());
    REQUIRE(raw->Close().ok());
    delete raw;
  }
  auto store = open_store(path);
  CHECK(read(*store, entity_kind::seat, "E1/A") == "ok");
  auto future = store->get(entity_kind::seat, "E1/B");
  REQUIRE(std::holds_alternative<storage_error>(future));
  CHECK(std::get<storage_error>(future).code == errc::unsupported_version);
  auto truncated = store->get(entity_kind::seat, "E1/C");
  REQUIRE(std::holds_alternative<storage_error>(truncated));
  CHECK(std::get<storage_error>(truncated).code == errc::corruption);
  CHECK(std::get<storage_error>(truncated).message.find("E1/C") != std::string::npos);
  auto scan_error = store->scan(entity_kind::seat, "E1/", [](auto, auto) { return true; });
  REQUIRE(scan_error);
  CHECK(scan_error->code == errc::unsupported_version);
}
