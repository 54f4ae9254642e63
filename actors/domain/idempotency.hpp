#pragma once
/// Idempotent writes: the record machine behind every write's `idempotency_key`, scoped per
/// (user_id, key). Owned by whichever actor serialises a user's writes for the entity; pure (`now`
/// is a parameter). The flow for one write:
///   begin_request → request_started: execute, then complete_request with the reply bytes
///                 → reply_replayed: send the stored reply, execute nothing
///                 → errc::concurrent_modification: the same request is still running
///                 → errc::idempotency_conflict: the key was used for a different request
/// A duplicate that arrives while the first is in flight is refused with concurrent_modification
/// rather than parked: parking would need promises inside a pure state, and a client retry after
/// completion gets the replay anyway. Never a second execution either way.
/// Records live `ttl` after their last change (5 minutes by default).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/deadline_index.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/common/segmented_map.hpp"

namespace tt::domain {

struct idempotency_policy {
  std::chrono::milliseconds ttl = std::chrono::minutes{5};
  std::size_t max_key_length = 128;
};

/// FNV-1a 64 of the canonical request bytes (e.g. the deterministic serialisation of the request
/// without its idempotency key); equal requests give equal fingerprints on every node.
uint64_t request_fingerprint(std::string_view canonical_request) noexcept;

enum class request_phase : uint8_t { in_flight, completed };

struct idempotency_record {
  uint64_t fingerprint = 0;
  request_phase phase = request_phase::in_flight;
  std::string reply; // opaque reply bytes, set on completion
  timestamp expires_at;
};

// Commands (imperative).
struct begin_request {
  user_id user;
  idempotency_key key;
  uint64_t fingerprint = 0;
};
struct complete_request { // store the reply (success or a deterministic rejection) for replays
  user_id user;
  idempotency_key key;
  uint64_t fingerprint = 0;
  std::string reply;
};
/// The execution failed before changing anything (timeout, unavailable): forget the record so a
/// retry runs again. Deterministic rejections should be completed instead, so retries replay them.
struct abandon_request {
  user_id user;
  idempotency_key key;
  uint64_t fingerprint = 0;
};
struct expire_records {}; // sweep: drop the records whose TTL passed
using idempotency_command =
    std::variant<begin_request, complete_request, abandon_request, expire_records>;

// Events (past tense).
struct request_started {
  user_id user;
  idempotency_key key;
  uint64_t fingerprint = 0;
  timestamp expires_at;
};
struct request_completed {
  user_id user;
  idempotency_key key;
  std::string reply;
  timestamp expires_at;
};
struct request_abandoned {
  user_id user;
  idempotency_key key;
};
/// The sweep at `at`: every record lapsed by then is dropped (apply finds them in the order their
/// deadlines were set, so a sweep costs the records due, not the table).
struct records_swept {
  timestamp at;
};
/// Not a change: tells the caller to send `reply` again. apply is the identity; do not persist it.
struct reply_replayed {
  std::string reply;
};
using idempotency_event = std::variant<request_started, request_completed, request_abandoned,
                                       records_swept, reply_replayed>;

class idempotency_state {
 public:
  /// The key of (user, key) in the tables: length-prefixed, so no two pairs collide.
  static std::string scope_of(const user_id& user, const idempotency_key& key);
  /// The live record for (user, key), or nullptr if there is none or its TTL has passed.
  const idempotency_record* find(const user_id& user, const idempotency_key& key,
                                 timestamp now) const;
  /// Records held, lapsed or not (the sweep removes lapsed and abandoned ones).
  std::size_t size() const noexcept { return records_.size(); }

  friend result<std::vector<idempotency_event>> decide(const idempotency_state& state,
                                                       const idempotency_command& command,
                                                       timestamp now,
                                                       const idempotency_policy& policy);
  friend void apply(idempotency_state& state, const idempotency_event& event);

 private:
  struct entry {
    user_id user;
    idempotency_key key;
    idempotency_record record;
    /// Entries of `deadlines_` that point here (deadline_index).
    uint32_t deadline_entries = 0;
  };
  /// Segmented: a million records rehashed at once stalled the owning actor (segmented_map).
  using table = segmented_map<std::string, entry>;

  table records_;
  /// Every deadline set on a record, for the sweep. An abandoned record is lapsed at once (its
  /// deadline set to the epoch) and stays until its last deadline comes.
  deadline_index<table> deadlines_;
};

/// Which event each (user, idempotency key) was used for, for the key's TTL: a key reused on
/// another event is a conflict, not a second execution (the records above are per event, kept by
/// each event's actor; this is what spans the events of a node). An empty key claims nothing.
class key_claims {
 public:
  /// Claims (user, key) for `event` until `now + ttl`. A key claimed for another event whose
  /// claim has not lapsed is errc::idempotency_conflict, and changes nothing.
  result<void> claim(const user_id& user, const idempotency_key& key, const event_id& event,
                     timestamp now, std::chrono::milliseconds ttl);
  /// Drops the claims lapsed by `now` (costs the claims due, not the table); returns how many.
  std::size_t sweep(timestamp now) { return deadlines_.sweep(claims_, now); }
  std::size_t size() const noexcept { return claims_.size(); }

 private:
  struct claim_entry {
    event_id event;
    timestamp expires_at;
    /// Entries of `deadlines_` that point here (deadline_index).
    uint32_t deadline_entries = 0;
  };
  /// Keyed like the records ("<user length>:<user>/<key>"). Segmented: rehashing a million keys
  /// at once held every request of the node (segmented_map).
  using table = segmented_map<std::string, claim_entry>;
  table claims_;
  deadline_index<table> deadlines_;
};

/// Rejections: empty key → idempotency_required; key too long or empty user → invalid_argument;
/// see the header comment for begin; complete/abandon without a matching in-flight record →
/// failed_precondition. Rejections change nothing.
result<std::vector<idempotency_event>> decide(const idempotency_state& state,
                                              const idempotency_command& command, timestamp now,
                                              const idempotency_policy& policy = {});
/// Applies in place (the table is shared by many users). A misfit event is an invariant breach.
/// Call it qualified, `domain::apply(...)`: ADL through std::variant also finds std::apply.
void apply(idempotency_state& state, const idempotency_event& event);

} // namespace tt::domain
