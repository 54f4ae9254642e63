#pragma once
/// "Make this batch durable, then continue on this actor": an actor commits a batch to the
/// snapshot store with `persist`, and the store's callback (on the store's writer thread) only
/// sends `persisted{token}` back; the actor then runs the continuation on its own thread. Side
/// effects (replies, idempotency completion) happen only there, after durability (Akka's
/// thenRun). Without a store (memory-only unit tests) the continuation runs at once.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "actors/common/failure.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/message_types.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

using durable_continuation = std::function<void(std::optional<failure>)>;

class durable_queue {
 public:
  /// Commits `batch`, then runs `then` when this actor receives the matching `persisted`.
  /// `self` is the owning actor; `store` may be null (memory only: `then` runs now).
  template <class Self>
  void persist(Self* self, storage::snapshot_store* store, std::vector<storage::mutation> batch,
               durable_continuation then) {
    if (store == nullptr || batch.empty()) {
      then(std::nullopt);
      return;
    }
    auto token = ++last_token_;
    waiting_.emplace(token, std::move(then));
    auto handle = caf::actor_cast<caf::actor>(self);
    store->commit(std::move(batch), [handle, token](std::optional<storage::storage_error> err) {
      caf::anon_send(handle, persisted{token, err ? std::optional<failure>{storage_failure(*err)}
                                                  : std::nullopt});
    });
  }

  /// Runs `then` once every batch committed so far has settled and its continuation ran (at once
  /// when none is pending): an answer that only repeats an earlier one (a second join of the same
  /// member) must not overtake that one's durability. The store settles batches in commit order,
  /// so this waits for the newest.
  void after_pending(std::function<void()> then) {
    if (waiting_.empty()) {
      then();
      return;
    }
    auto& newest = waiting_.rbegin()->second;
    newest = [first = std::move(newest), then = std::move(then)](std::optional<failure> err) {
      first(std::move(err));
      then();
    };
  }

  /// Runs the continuation of `p.token` (on the owning actor).
  void complete(const persisted& p) {
    auto it = waiting_.find(p.token);
    if (it == waiting_.end())
      return;
    auto then = std::move(it->second);
    waiting_.erase(it);
    then(p.error);
  }

 private:
  uint64_t last_token_ = 0;
  std::map<uint64_t, durable_continuation> waiting_; // by token: the newest last
};

} // namespace tt::actors
