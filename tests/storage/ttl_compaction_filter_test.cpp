// TTL with an injected clock: `now` is an atomic the test moves, never the wall clock.

#include <doctest/doctest.h>

#include <atomic>

#include "storage/snapshot_codec.hpp"
#include "storage/ttl_compaction_filter.hpp"
#include "tests/storage/store_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::storage;
using tt::tests::commit_and_wait;
using tt::tests::open_store;
using tt::tests::put;
using tt::tests::read;

namespace {

bool drops(const ttl_compaction_filter& filter, const std::string& value) {
  std::string new_value;
  bool changed = false;
  return filter.Filter(1, "key", value, &new_value, &changed);
}

} // namespace

TEST_CASE("the filter drops expired records and keeps live, eternal and undecodable ones") {
  std::atomic<int64_t> now{1000};
  ttl_compaction_filter filter([&] { return now.load(); });
  CHECK(drops(filter, encode_record("old", 999)));
  CHECK(drops(filter, encode_record("due", 1000)));
  CHECK_FALSE(drops(filter, encode_record("live", 1001)));
  CHECK_FALSE(drops(filter, encode_record("eternal", std::nullopt)));
  CHECK_FALSE(drops(filter, std::string("\x01", 1)));
  CHECK_FALSE(drops(filter, std::string("\x63\x01", 2)));
  now = 2000;
  CHECK(drops(filter, encode_record("live", 1001)));
}

TEST_CASE("get hides expired records, and compaction removes them for good") {
  tt::tests::temp_dir tmp;
  std::atomic<int64_t> now{100};
  store_options options;
  options.now_ms = [&] {
    return now.load();
  };
  auto store = open_store(tmp.path() / "db", options);
  REQUIRE_FALSE(commit_and_wait(*store, {put(entity_kind::idempotency, "K1", "reply-1", 500),
                                         put(entity_kind::idempotency, "K2", "reply-2", 5000),
                                         put(entity_kind::idempotency, "K3", "reply-3")}));
  CHECK(read(*store, entity_kind::idempotency, "K1") == "reply-1");

  now = 1000; // K1 expired but not compacted: hidden from get and scan, still on disk.
  CHECK_FALSE(read(*store, entity_kind::idempotency, "K1"));
  std::vector<std::string> keys;
  REQUIRE_FALSE(store->scan(entity_kind::idempotency, "", [&](std::string_view key, auto) {
    keys.emplace_back(key);
    return true;
  }));
  CHECK(keys == std::vector<std::string>{"K2", "K3"});
  now = 100;
  CHECK(read(*store, entity_kind::idempotency, "K1") == "reply-1");

  now = 1000;
  REQUIRE_FALSE(store->compact(entity_kind::idempotency));
  now = 100; // Rewinding the clock proves the record is physically gone, not just hidden.
  CHECK_FALSE(read(*store, entity_kind::idempotency, "K1"));
  CHECK(read(*store, entity_kind::idempotency, "K2") == "reply-2");
  CHECK(read(*store, entity_kind::idempotency, "K3") == "reply-3");
}
