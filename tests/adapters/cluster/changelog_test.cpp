// The changelog against the embedded broker: what a shard's next owner restores, claims that
// supersede a replaced owner's late writes, the fence (with its negative control), gaps, and the
// clustered snapshot store over a real RocksDB.
#include <doctest/doctest.h>

#include <future>
#include <random>
#include <string>
#include <thread>

#include "adapters/cluster/changelog.hpp"
#include "adapters/cluster/changelog_store.hpp"
#include "adapters/cluster/shard_host.hpp"
#include "adapters/cluster/shard_ownership.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "storage/rocksdb_snapshot_store.hpp"
#include "tests/adapters/cluster/broker_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
namespace cluster = tt::adapters::cluster;
namespace kafka = tt::adapters::kafka;
namespace storage = tt::storage;

namespace {

constexpr int shard_count = 4;

std::unique_ptr<kafka::embedded_cluster> start_broker() {
  return tt::tests::start_cluster_broker(shard_count);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 20s) {
  return tt::tests::eventually_within(condition, limit);
}

std::unique_ptr<cluster::shard_ownership> join(const std::string& bootstrap,
                                               const std::string& id) {
  cluster::ownership_settings s;
  s.bootstrap_servers = bootstrap;
  s.node_id = id;
  auto started = cluster::shard_ownership::start(s, {});
  REQUIRE(std::holds_alternative<std::unique_ptr<cluster::shard_ownership>>(started));
  return std::move(std::get<0>(started));
}

std::unique_ptr<cluster::changelog> open_log(const std::string& bootstrap, const std::string& id,
                                             cluster::shard_ownership* fence,
                                             int64_t snapshot_every_bytes = 1 << 20) {
  cluster::changelog_settings s;
  s.bootstrap_servers = bootstrap;
  s.node_id = id;
  s.snapshot_every_bytes = snapshot_every_bytes;
  s.snapshot_check = 100ms;
  auto started = cluster::changelog::start(s, fence);
  REQUIRE(std::holds_alternative<std::unique_ptr<cluster::changelog>>(started));
  return std::move(std::get<0>(started));
}

int64_t claim(cluster::changelog& log, uint32_t shard, int64_t previous) {
  auto c = log.claim(shard, previous, 10s);
  REQUIRE(std::holds_alternative<int64_t>(c));
  return std::get<int64_t>(c);
}

std::optional<std::string> append(cluster::changelog& log, uint32_t shard, int64_t claim,
                                  std::vector<storage::mutation> batch) {
  std::promise<std::optional<std::string>> answer;
  log.append(shard, claim, batch, [&](std::optional<std::string> e) { answer.set_value(e); });
  return answer.get_future().get();
}

storage::mutation put(std::string key, std::string value) {
  return {storage::entity_kind::reservation, std::move(key), std::move(value), std::nullopt};
}
storage::mutation erase(std::string key) {
  return {storage::entity_kind::reservation, std::move(key), std::nullopt, std::nullopt};
}

/// Bytes lz4 cannot shrink (the changelog compresses), so they fill the broker's window.
std::string incompressible(size_t size) {
  std::mt19937_64 random{42};
  std::string out(size, '\0');
  for (auto& c : out)
    c = static_cast<char>(random());
  return out;
}

std::map<std::string, std::string> as_map(const cluster::restored_shard& r) {
  std::map<std::string, std::string> out;
  for (const auto& m : r.records)
    out[m.key] = *m.value;
  return out;
}

/// A third node claims `shard` after `head` and replays it: alice's sale and bob's count, the
/// one batch written by a superseded or untrusted claim does not.
void check_alice_and_bob_only(const std::string& bootstrap, uint32_t shard, int64_t head) {
  auto third = open_log(bootstrap, "node-c", nullptr);
  auto restored = third->restore(shard, claim(*third, shard, head), head, {}, 10s);
  REQUIRE(std::holds_alternative<cluster::restored_shard>(restored));
  auto& r = std::get<cluster::restored_shard>(restored);
  CHECK(as_map(r) ==
        std::map<std::string, std::string>{{"E/s1", "sold to alice"}, {"E/s2", "sold to bob"}});
  CHECK(r.superseded == 1);
}

} // namespace

TEST_CASE("the next owner restores the latest value of every key, deletes applied") {
  auto broker = start_broker();
  auto owner = join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return owner->owned().size() == shard_count; }));
  auto log = open_log(broker->bootstrap(), "node-a", owner.get());
  auto mine = claim(*log, 2, -1);
  CHECK_FALSE(append(*log, 2, mine, {put("E/r1", "held"), put("E/r2", "held")}));
  CHECK_FALSE(append(*log, 2, mine, {put("E/r1", "confirmed"), erase("E/r2")}));
  // The writes (offsets 1 and 2, after the claim at 0) reached the group's committed position:
  // the fence saw them.
  // The group recorded the claim they were written under: the head of the chain of owners.
  auto confirmed = owner->confirmed_position(2, 5s);
  REQUIRE(confirmed.has_value());
  CHECK(confirmed->next_offset == 3);
  CHECK(confirmed->claim == mine);

  auto next = open_log(broker->bootstrap(), "node-b", nullptr);
  auto taken = claim(*next, 2, confirmed->claim);
  auto restored = next->restore(2, taken, confirmed->claim, {}, 10s);
  REQUIRE(std::holds_alternative<cluster::restored_shard>(restored));
  auto& r = std::get<cluster::restored_shard>(restored);
  CHECK(as_map(r) == std::map<std::string, std::string>{{"E/r1", "confirmed"}});
  CHECK(r.batches == 2);
  CHECK(r.superseded == 0);
}

TEST_CASE("a replaced owner's writes after its successor's claim are ignored on replay") {
  auto broker = start_broker();
  // Unfenced on purpose: this is what a paused owner's late append looks like in the log when
  // nothing stopped it from being written; replay must not apply it. The claims' chain is
  // given by hand (the group's confirmed claims: a, then b).
  auto old_owner = open_log(broker->bootstrap(), "node-a", nullptr);
  auto new_owner = open_log(broker->bootstrap(), "node-b", nullptr);
  auto a = claim(*old_owner, 1, -1);
  CHECK_FALSE(append(*old_owner, 1, a, {put("E/s1", "sold to alice")}));
  auto b = claim(*new_owner, 1, a);
  CHECK_FALSE(append(*old_owner, 1, a, {put("E/s1", "sold to mallory")}));
  CHECK_FALSE(append(*new_owner, 1, b, {put("E/s2", "sold to bob")}));
  check_alice_and_bob_only(broker->bootstrap(), 1, b);
}

TEST_CASE("a claim the group never confirmed, appended late, is not trusted") {
  auto broker = start_broker();
  // A node given the shard, paused before its claim reached the log, appends the claim after
  // its successor's (the group confirmed a, then b; the late claim s names a, what it saw).
  auto first = open_log(broker->bootstrap(), "node-a", nullptr);
  auto second = open_log(broker->bootstrap(), "node-b", nullptr);
  auto stale = open_log(broker->bootstrap(), "node-s", nullptr);
  auto a = claim(*first, 0, -1);
  CHECK_FALSE(append(*first, 0, a, {put("E/s1", "sold to alice")}));
  auto b = claim(*second, 0, a);
  auto s = claim(*stale, 0, a);
  CHECK_FALSE(append(*stale, 0, s, {put("E/s1", "sold to mallory")}));
  CHECK_FALSE(append(*second, 0, b, {put("E/s2", "sold to bob")}));
  // Negative control: trusting the latest claim in the log (s) would have applied mallory's
  // sale and dropped bob's, written under b before s.
  check_alice_and_bob_only(broker->bootstrap(), 0, b);
}

TEST_CASE(
    "the fence refuses a write for a shard the group moved, and without it the write counts") {
  auto broker = start_broker();
  auto a = join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return a->owned().size() == shard_count; }));
  auto fenced = open_log(broker->bootstrap(), "node-a", a.get());
  auto unfenced = open_log(broker->bootstrap(), "node-a-unsafe", nullptr);
  auto b = join(broker->bootstrap(), "node-b");
  REQUIRE(eventually([&] { return !b->owned().empty() && a->owned().size() < shard_count; }));
  auto moved = b->owned().front();
  auto refused = append(*fenced, moved, 0, {put("E/x", "late")});
  REQUIRE(refused);
  CHECK(refused->find("not owned") != std::string::npos);
  // Negative control: the same append with the fence switched off is acknowledged.
  CHECK_FALSE(append(*unfenced, moved, 0, {put("E/x", "late")}));
}

TEST_CASE("a shard whose changelog lost its oldest records refuses to restore") {
  auto broker = start_broker();
  auto log = open_log(broker->bootstrap(), "node-a", nullptr);
  auto c = claim(*log, 3, -1);
  // The embedded broker keeps ~5 MiB per partition: 7 MiB of batches push the first ones out.
  auto big = incompressible(256 * 1024);
  for (int i = 0; i < 28; ++i)
    REQUIRE_FALSE(append(*log, 3, c, {put("E/k" + std::to_string(i), big + std::to_string(i))}));
  auto next = open_log(broker->bootstrap(), "node-b", nullptr);
  auto taken = claim(*next, 3, c);
  auto restored = next->restore(3, taken, c, {}, 10s);
  REQUIRE(std::holds_alternative<std::string>(restored));
  CHECK(std::get<std::string>(restored).find("refusing to serve") != std::string::npos);
}

TEST_CASE("a shard restores from its latest snapshot after the broker dropped what came before") {
  auto broker = start_broker();
  auto owner = join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return owner->owned().size() == shard_count; }));
  // Snapshots only when asked here (the threshold is out of reach), so the test knows when.
  auto log = open_log(broker->bootstrap(), "node-a", owner.get(), int64_t{1} << 40);
  auto c = claim(*log, 3, -1);
  REQUIRE_FALSE(append(*log, 3, c, {put("E/first", "kept by the snapshots"), put("E/gone", "x")}));
  REQUIRE_FALSE(append(*log, 3, c, {erase("E/gone")}));
  // 7 MiB over three keys: the broker keeps ~5 MiB, so the first records are dropped; a
  // snapshot after every 1 MiB keeps the latest one and its tail inside what it keeps.
  auto big = incompressible(256 * 1024);
  for (int i = 0; i < 28; ++i) {
    REQUIRE_FALSE(
        append(*log, 3, c, {put("E/k" + std::to_string(i % 3), big + std::to_string(i))}));
    if (i % 4 == 3)
      REQUIRE_FALSE(log->snapshot(3, c, 10s));
  }
  REQUIRE_FALSE(append(*log, 3, c, {put("E/last", "after the last snapshot")}));
  auto confirmed = owner->confirmed_position(3, 10s);
  REQUIRE(confirmed);
  CHECK(confirmed->claim == c);
  REQUIRE(confirmed->snapshot.exists());
  CHECK(confirmed->snapshot == log->latest_snapshot(3));

  auto next = open_log(broker->bootstrap(), "node-b", nullptr);
  auto taken = claim(*next, 3, confirmed->claim);
  // The whole history is gone: without the snapshot the shard refuses to restore.
  auto from_start = next->restore(3, taken, confirmed->claim, {}, 10s);
  REQUIRE(std::holds_alternative<std::string>(from_start));
  CHECK(std::get<std::string>(from_start).find("refusing to serve") != std::string::npos);
  auto restored = next->restore(3, taken, confirmed->claim, confirmed->snapshot, 10s);
  REQUIRE(std::holds_alternative<cluster::restored_shard>(restored));
  CHECK(as_map(std::get<cluster::restored_shard>(restored)) ==
        std::map<std::string, std::string>{{"E/first", "kept by the snapshots"},
                                           {"E/k0", big + "27"},
                                           {"E/k1", big + "25"},
                                           {"E/k2", big + "26"},
                                           {"E/last", "after the last snapshot"}});
}

TEST_CASE("the owner writes a snapshot by itself once enough was appended") {
  auto broker = start_broker();
  auto owner = join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return owner->owned().size() == shard_count; }));
  auto log = open_log(broker->bootstrap(), "node-a", owner.get(), 64 * 1024);
  auto c = claim(*log, 2, -1);
  std::string value(16 * 1024, 'v');
  for (int i = 0; i < 3; ++i)
    REQUIRE_FALSE(append(*log, 2, c, {put("E/k" + std::to_string(i), value)}));
  // 48 KiB: not due yet.
  std::this_thread::sleep_for(500ms);
  CHECK_FALSE(log->latest_snapshot(2).exists());
  for (int i = 3; i < 6; ++i)
    REQUIRE_FALSE(append(*log, 2, c, {put("E/k" + std::to_string(i), value)}));
  REQUIRE(eventually([&] { return log->latest_snapshot(2).exists(); }));
  auto confirmed = owner->confirmed_position(2, 10s);
  REQUIRE(confirmed);
  CHECK(confirmed->snapshot == log->latest_snapshot(2));
  auto next = open_log(broker->bootstrap(), "node-b", nullptr);
  auto restored = next->restore(2, claim(*next, 2, c), confirmed->claim, confirmed->snapshot, 10s);
  REQUIRE(std::holds_alternative<cluster::restored_shard>(restored));
  CHECK(std::get<cluster::restored_shard>(restored).records.size() == 6);
}

TEST_CASE("the clustered store writes a served shard to both copies and refuses the others") {
  auto broker = start_broker();
  auto owner = join(broker->bootstrap(), "node-a");
  REQUIRE(eventually([&] { return owner->owned().size() == shard_count; }));
  auto log = open_log(broker->bootstrap(), "node-a", owner.get());
  tt::tests::temp_dir tmp;
  auto opened = storage::rocksdb_snapshot_store::open(tmp.path() / "db", {});
  REQUIRE(std::holds_alternative<std::unique_ptr<storage::rocksdb_snapshot_store>>(opened));
  std::shared_ptr<storage::snapshot_store> local =
      std::move(std::get<std::unique_ptr<storage::rocksdb_snapshot_store>>(opened));
  // Keys "<shard>/..." in this test; "node/..." belongs to no shard.
  cluster::changelog_store store{local, *log, [](storage::entity_kind, std::string_view key) {
                                   return key.substr(0, 5) == "node/"
                                              ? std::nullopt
                                              : std::optional<uint32_t>(key[0] - '0');
                                 }};
  auto commit = [&](std::vector<storage::mutation> batch) {
    std::promise<std::optional<storage::storage_error>> answer;
    store.commit(std::move(batch),
                 [&](std::optional<storage::storage_error> e) { answer.set_value(e); });
    return answer.get_future().get();
  };
  auto refused = commit({put("1/r1", "held")});
  REQUIRE(refused);
  CHECK(refused->code == storage::errc::not_owner);
  CHECK(std::get<0>(store.get(storage::entity_kind::reservation, "1/r1")) == std::nullopt);

  store.serve(1, claim(*log, 1, -1));
  CHECK_FALSE(commit({put("1/r1", "held")}));
  CHECK(std::get<0>(store.get(storage::entity_kind::reservation, "1/r1")) == "held");
  CHECK_FALSE(commit({put("node/w1", "registered")})); // local only
  auto spanning = commit({put("1/r2", "a"), put("2/r3", "b")});
  REQUIRE(spanning);
  CHECK(spanning->code == storage::errc::invalid_argument);

  auto next = open_log(broker->bootstrap(), "node-b", nullptr);
  auto head = owner->confirmed_position(1, 5s);
  REQUIRE(head.has_value());
  auto restored = next->restore(1, claim(*next, 1, head->claim), head->claim, {}, 10s);
  REQUIRE(std::holds_alternative<cluster::restored_shard>(restored));
  CHECK(as_map(std::get<cluster::restored_shard>(restored)) ==
        std::map<std::string, std::string>{{"1/r1", "held"}});

  store.stop_serving(1);
  CHECK(commit({put("1/r1", "confirmed")})->code == storage::errc::not_owner);
}

TEST_CASE("a record belongs to its event's shard, and the node's own records to none") {
  constexpr uint32_t shards = 64;
  auto of = [](storage::entity_kind kind, std::string_view key) {
    return cluster::shard_of_record_key(kind, key, shards);
  };
  auto sale = tt::shard_of(tt::event_id{"sale-1"}, shards);
  CHECK(of(storage::entity_kind::reservation, "sale-1/r-0001-sale-1-x") == sale);
  CHECK(of(storage::entity_kind::outbox, "sale-1/01J0000000000000000000000") == sale);
  CHECK(of(storage::entity_kind::meta, "event/sale-1") == sale);
  CHECK(of(storage::entity_kind::meta, "webhook/w-1") == std::nullopt);
  CHECK(of(storage::entity_kind::outbox, "dead-letters/01J0000000000000000000000") == std::nullopt);
}
