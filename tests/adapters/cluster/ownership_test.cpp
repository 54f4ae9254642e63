// Shard ownership and membership against the embedded broker (librdkafka's mock cluster, the
// same group coordinator the nodes use), with three members in one process. Conditions are
// waited for, never slept on: a rebalance takes a few hundred milliseconds on loopback.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/cluster/membership.hpp"
#include "adapters/cluster/shard_ownership.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "tests/adapters/cluster/broker_fixture.hpp"

using namespace std::chrono_literals;
namespace cluster = tt::adapters::cluster;
namespace kafka = tt::adapters::kafka;

namespace {

constexpr int shard_count = 16;

std::unique_ptr<kafka::embedded_cluster> start_broker() {
  return tt::tests::start_cluster_broker(shard_count);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 20s) {
  return tt::tests::eventually_within(condition, limit);
}

/// One member and what its listener heard.
struct member {
  std::mutex mutex;
  std::set<uint32_t> held; // by the callbacks
  std::unique_ptr<cluster::shard_ownership> ownership;

  void join(const std::string& bootstrap, const std::string& id) {
    cluster::ownership_settings s;
    s.bootstrap_servers = bootstrap;
    s.node_id = id;
    cluster::ownership_listener l;
    l.gained = [this](const cluster::shard_list& shards) {
      std::lock_guard lock{mutex};
      held.insert(shards.begin(), shards.end());
    };
    l.lost = [this](const cluster::shard_list& shards, cluster::loss) {
      std::lock_guard lock{mutex};
      for (auto s : shards)
        held.erase(s);
    };
    auto started = cluster::shard_ownership::start(s, l);
    REQUIRE(std::holds_alternative<std::unique_ptr<cluster::shard_ownership>>(started));
    ownership = std::move(std::get<0>(started));
  }
  std::set<uint32_t> heard() {
    std::lock_guard lock{mutex};
    return held;
  }
};

/// True when the members' shards are disjoint and cover every shard, and every member's
/// listener agrees with what it owns.
bool partitioned(const std::vector<member*>& members) {
  std::set<uint32_t> all;
  size_t total = 0;
  for (auto* m : members) {
    auto owned = m->ownership->owned();
    if (std::set<uint32_t>(owned.begin(), owned.end()) != m->heard())
      return false;
    all.insert(owned.begin(), owned.end());
    total += owned.size();
  }
  return total == shard_count && all.size() == shard_count;
}

} // namespace

TEST_CASE("the group's assignment is the shards each node owns, and survivors keep theirs") {
  auto broker = start_broker();
  member a, b, c;
  a.join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return partitioned({&a}); }));
  b.join(broker->bootstrap(), "node-b");
  c.join(broker->bootstrap(), "node-c");
  REQUIRE(eventually([&] {
    return partitioned({&a, &b, &c}) && !a.ownership->owned().empty() &&
           !b.ownership->owned().empty() && !c.ownership->owned().empty();
  }));
  auto a_before = a.ownership->owned();
  auto b_before = b.ownership->owned();
  // Every member is in the group's latest generation, which counts the rebalances so far.
  REQUIRE(eventually([&] { return a.ownership->generation() == c.ownership->generation(); }));
  auto generation = a.ownership->generation();
  REQUIRE(generation.has_value());
  CHECK(*generation >= 2); // a alone, then with b and c

  c.ownership.reset(); // leaves the group
  REQUIRE(eventually([&] { return partitioned({&a, &b}); }));
  REQUIRE(eventually([&] { return a.ownership->generation() > generation; }));
  // Cooperative-sticky: the survivors kept what they had and took the leaver's shards.
  auto a_after = a.ownership->owned();
  auto b_after = b.ownership->owned();
  CHECK(std::includes(a_after.begin(), a_after.end(), a_before.begin(), a_before.end()));
  CHECK(std::includes(b_after.begin(), b_after.end(), b_before.begin(), b_before.end()));
}

TEST_CASE("confirm succeeds for an owned shard and is refused for any other") {
  auto broker = start_broker();
  member a, b;
  a.join(broker->bootstrap(), "node-a");
  b.join(broker->bootstrap(), "node-b");
  REQUIRE(eventually([&] {
    return partitioned({&a, &b}) && !a.ownership->owned().empty() && !b.ownership->owned().empty();
  }));
  auto mine = a.ownership->owned().front();
  auto theirs = b.ownership->owned().front();
  CHECK_FALSE(a.ownership->confirm({{mine, 7, 4}}));
  CHECK(a.ownership->confirmed_position(mine, 5s)->next_offset == 7);
  CHECK(a.ownership->confirmed_position(mine, 5s)->claim == 4);
  auto refused = a.ownership->confirm({{theirs, 3, 0}});
  REQUIRE(refused);
  CHECK(refused->find("not owned") != std::string::npos);
  // Nothing of a refused confirm is committed, even for the owned shard beside it.
  CHECK(a.ownership->confirm({{mine, 9, 4}, {theirs, 4, 0}}));
  CHECK(b.ownership->confirmed_position(theirs, 5s)->next_offset == -1);
  CHECK(a.ownership->confirmed_position(mine, 5s)->next_offset == 7);
}

TEST_CASE("membership routes each shard to the node that announces it, and forgets leavers") {
  auto broker = start_broker();
  std::map<std::string, std::unique_ptr<cluster::membership>> nodes;
  auto join = [&](const std::string& id, cluster::shard_list shards) {
    cluster::membership_settings s;
    s.bootstrap_servers = broker->bootstrap();
    s.node_id = id;
    s.address = id + ":8080";
    s.interval = 200ms;
    auto started = cluster::membership::start(s, [shards] {
      return cluster::self_report{shards, {}};
    });
    REQUIRE(std::holds_alternative<std::unique_ptr<cluster::membership>>(started));
    nodes[id] = std::move(std::get<0>(started));
  };
  join("node-a", {0, 1, 2});
  join("node-b", {3, 4});
  auto& a = *nodes["node-a"];
  REQUIRE(eventually([&] { return a.peers().size() == 2; }));
  CHECK(a.owner_of(4)->address == "node-b:8080");
  CHECK(a.owner_of(0)->node_id == "node-a");
  CHECK_FALSE(a.owner_of(9));

  nodes.erase("node-b"); // announces that it leaves
  REQUIRE(eventually([&] { return a.peers().size() == 1; }));
  CHECK_FALSE(a.owner_of(4));
}

TEST_CASE("a node that stops announcing is forgotten after the expiry") {
  auto broker = start_broker();
  cluster::membership_settings s;
  s.bootstrap_servers = broker->bootstrap();
  s.node_id = "node-a";
  s.address = "a:1";
  s.interval = 100ms;
  // Long enough that node-b's one announcement is read before it expires, on a loaded machine
  // too (600 ms was not).
  s.expiry = 3s;
  auto a = std::get<0>(cluster::membership::start(s, [] { return cluster::self_report{{0}, {}}; }));
  // node-b announces once, as a node would just before it crashes, and then nothing more.
  auto conf =
      std::get<kafka::conf_handle>(kafka::make_conf({{"bootstrap.servers", s.bootstrap_servers}}));
  auto producer =
      std::get<kafka::client_handle>(kafka::make_client(RD_KAFKA_PRODUCER, std::move(conf)));
  std::string last_words =
      R"({"node_id":"node-b","address":"b:1","shards":[1],"restoring":[],"leaving":false})";
  REQUIRE_FALSE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("tt.members"),
                                  RD_KAFKA_V_PARTITION(0),
                                  RD_KAFKA_V_VALUE(last_words.data(), last_words.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END));
  REQUIRE(rd_kafka_flush(producer.get(), 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(eventually([&] { return a->owner_of(1).has_value(); }));
  CHECK(a->owner_of(1)->address == "b:1");
  REQUIRE(eventually([&] { return !a->owner_of(1).has_value(); }, 15s));
  CHECK(a->owner_of(0).has_value());
}
