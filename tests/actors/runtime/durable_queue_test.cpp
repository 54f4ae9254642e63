// durable_queue on its own: the order in which continuations run, which the waiting room's
// repeated answers rely on (after_pending), on the real store with its commits held back.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime/durable_queue.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"
#include "tests/actors/runtime/settled_store.hpp"

namespace tt::actors::testing {
namespace {

using journal = std::shared_ptr<std::vector<std::string>>;

struct probe_state {
  durable_queue durable;
};

/// An int32 asks it to write record N (logging "write N" once durable); a string S asks it to
/// log "repeat S" once the writes in flight are (durable_queue::after_pending).
caf::behavior durable_probe(caf::stateful_actor<probe_state>* self, storage::snapshot_store* store,
                            journal log) {
  return {
      [=](int32_t n) {
        auto name = std::to_string(n);
        self->state.durable.persist(
            self, store,
            {{storage::entity_kind::event_counters, "probe/" + name, std::string{"x"}, {}}},
            [log, name](std::optional<failure> err) {
              log->push_back((err ? "failed " : "write ") + name);
            });
      },
      [=](const std::string& name) {
        self->state.durable.after_pending([log, name] { log->push_back("repeat " + name); });
      },
      [=](const persisted& p) { self->state.durable.complete(p); },
  };
}

} // namespace

TEST_CASE_FIXTURE(store_fixture, "after_pending waits for every write in flight, in order") {
  runtime_fixture node{{}, store};
  auto log = std::make_shared<std::vector<std::string>>();
  auto probe = node.sys.spawn(durable_probe, store.get(), log);

  caf::anon_send(probe, std::string{"idle"}); // nothing in flight: at once
  node.run();
  CHECK(*log == std::vector<std::string>{"repeat idle"});

  store->hold_commits = true;
  caf::anon_send(probe, int32_t{1});
  caf::anon_send(probe, int32_t{2});
  caf::anon_send(probe, std::string{"a"});
  caf::anon_send(probe, std::string{"b"});
  node.run();
  CHECK(log->size() == 1); // both writes held: neither repeat may run

  store->release_held();
  node.run();
  CHECK(*log ==
        std::vector<std::string>{"repeat idle", "write 1", "write 2", "repeat a", "repeat b"});
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  node.run();
}

TEST_CASE_FIXTURE(store_fixture, "after_pending still runs when the write it waits for fails") {
  runtime_fixture node{{}, store};
  auto log = std::make_shared<std::vector<std::string>>();
  auto probe = node.sys.spawn(durable_probe, store.get(), log);

  store->refuse_writes = true;
  store->hold_commits = true; // refused at commit: nothing is held
  caf::anon_send(probe, int32_t{1});
  caf::anon_send(probe, std::string{"a"});
  node.run();
  CHECK(*log == std::vector<std::string>{"failed 1", "repeat a"});
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  node.run();
}

} // namespace tt::actors::testing
