#include <doctest/doctest.h>

#include <future>

#include <spdlog/spdlog.h>

#include "adapters/node/logging.hpp"
#include "adapters/node/runtime_settings.hpp"
#include "storage/rocksdb_snapshot_store.hpp"
#include "tests/support/temp_dir.hpp"

using tt::node::runtime_settings;

namespace {

std::unique_ptr<tt::storage::rocksdb_snapshot_store> open_store(const std::filesystem::path& path) {
  auto opened = tt::storage::rocksdb_snapshot_store::open(path, {});
  REQUIRE(std::holds_alternative<std::unique_ptr<tt::storage::rocksdb_snapshot_store>>(opened));
  return std::get<std::unique_ptr<tt::storage::rocksdb_snapshot_store>>(std::move(opened));
}

std::shared_ptr<runtime_settings> open_settings(const tt::node::node_config& start,
                                                tt::storage::snapshot_store& s) {
  auto opened = runtime_settings::open(start, s);
  REQUIRE(std::holds_alternative<std::shared_ptr<runtime_settings>>(opened));
  return std::get<std::shared_ptr<runtime_settings>>(std::move(opened));
}

tt::result<tt::adapters::rpc::setting_changed>
change(runtime_settings& settings, const std::string& key, const std::string& value) {
  // Shared: the store's writer may still be inside set_value when get() returns.
  auto done = std::make_shared<std::promise<tt::result<tt::adapters::rpc::setting_changed>>>();
  auto answer = done->get_future();
  settings.change(key, value, [done](auto r) { done->set_value(std::move(r)); });
  return answer.get();
}

} // namespace

TEST_CASE("a changed hold length is applied, answered with old and new, and kept by the store") {
  tt::tests::temp_dir tmp;
  tt::node::node_config start;
  start.hold_seconds = 60;
  std::vector<std::string> applied;
  {
    auto store = open_store(tmp.path() / "db");
    auto settings = open_settings(start, *store);
    settings->apply_with("reservation.hold_seconds",
                         [&applied](const std::string& v) { applied.push_back(v); });
    CHECK(applied == std::vector<std::string>{"60"});
    auto changed = change(*settings, "reservation.hold_seconds", "045");
    REQUIRE(changed);
    CHECK(changed->old_value == "60");
    CHECK(changed->new_value == "45");
    CHECK(applied == std::vector<std::string>{"60", "45"});
    CHECK(settings->value("reservation.hold_seconds") == "45");
  }
  // The next start: the stored value wins over the config's.
  auto store = open_store(tmp.path() / "db");
  auto again = open_settings(start, *store);
  CHECK(again->value("reservation.hold_seconds") == "45");
  CHECK(again->value("log.level") == "info");
}

TEST_CASE("values outside the config table's bounds and keys read at start are refused") {
  tt::tests::temp_dir tmp;
  auto store = open_store(tmp.path() / "db");
  auto settings = open_settings({}, *store);
  for (auto bad : {"0", "3601", "ten", "-5", ""}) {
    auto refused = change(*settings, "reservation.hold_seconds", bad);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == tt::errc::invalid_argument);
  }
  auto level = change(*settings, "log.level", "verbose");
  REQUIRE_FALSE(level);
  CHECK(level.error().message.find("trace, debug, info, warn, error") != std::string::npos);
  CHECK(settings->serves("log.level"));
  CHECK_FALSE(settings->serves("grpc.listen"));
  CHECK(settings->value("reservation.hold_seconds") == "60");
}

TEST_CASE("a changed log level reaches the log buffer from the next line on") {
  tt::tests::temp_dir tmp;
  auto logging = tt::node::setup_logging({"info", "text", "info", 100, std::chrono::seconds{1}});
  auto store = open_store(tmp.path() / "db");
  auto settings = open_settings({}, *store);
  settings->apply_with("log.level", [&logging](const std::string& level) {
    tt::node::set_log_level(logging, level);
  });
  auto debug_lines = [&logging] {
    tt::adapters::logs::log_query q;
    q.min_level = spdlog::level::debug;
    q.text = "runtime-settings-probe";
    return logging.buffer->query(q).entries.size();
  };
  spdlog::debug("runtime-settings-probe before");
  CHECK(debug_lines() == 0);
  auto changed = change(*settings, "log.level", "debug");
  REQUIRE(changed);
  CHECK(changed->old_value == "info");
  spdlog::debug("runtime-settings-probe after");
  CHECK(debug_lines() == 1);
  REQUIRE(change(*settings, "log.level", "info"));
  spdlog::debug("runtime-settings-probe again");
  CHECK(debug_lines() == 1);
}
