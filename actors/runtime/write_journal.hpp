#pragma once
/// The idempotency of an actor's writes: domain::idempotency_state plus what an actor does with
/// its decisions. `begin` says whether to run a write (nullopt) or what to answer instead (the
/// stored reply of an earlier run, or a rejection: key missing, conflict, still in flight).
/// Every run must end in `finish` (its reply or deterministic rejection is stored for replays)
/// or `settle_error`. Single-threaded: owned by one actor's state.

#include <optional>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/result.hpp>

#include "actors/domain/idempotency.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_protocol.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

class write_journal {
 public:
  write_journal() = default;
  /// `records` follows how many records this journal keeps (the node's idempotency_records).
  write_journal(domain::idempotency_policy policy, count_share records)
      : policy_(policy), records_(std::move(records)) {}

  std::optional<caf::result<reservation_reply>> begin(const write_scope& scope, timestamp now);
  /// `begin` for writes whose replies are not reservation replies: `decode` reads a stored one.
  template <class Reply, class Decode>
  std::optional<caf::result<Reply>> begin_as(const write_scope& scope, timestamp now,
                                             Decode decode) {
    auto outcome = start(scope, now);
    if (!outcome)
      return caf::result<Reply>{to_caf_error(outcome.error())};
    if (!*outcome)
      return std::nullopt;
    auto stored = decode(**outcome);
    if (!stored)
      return caf::result<Reply>{to_caf_error(stored.error())};
    return caf::result<Reply>{std::move(*stored)};
  }

  /// Stores `reply_bytes` (an encoded reply or rejection) as the answer for `scope`.
  void finish(const write_scope& scope, std::string reply_bytes, timestamp now);

  /// A domain rejection is stored like a reply; anything else (timeout, dead actor, a storage
  /// failure) forgets the run, so that a retry executes again.
  void settle_error(const write_scope& scope, const caf::error& err, timestamp now);

  /// The record `finish` keeps for this reply, for the caller to make durable before replying.
  journal_entry entry_of(const write_scope& scope, std::string reply_bytes, timestamp now) const;
  /// Puts back a completed record found at recovery (nothing happens for a lapsed one).
  void restore(const journal_entry& entry, timestamp now);
  /// Forgets an in-flight run, so that a retry executes again.
  void abandon(const write_scope& scope, timestamp now);
  /// Drops records whose TTL has passed.
  void sweep(timestamp now);

 private:
  /// Runs begin_request: a rejection, nullopt (run the write), or the stored reply's bytes.
  result<std::optional<std::string>> start(const write_scope& scope, timestamp now);
  template <class Command>
  void run(Command command, timestamp now);
  void recount() { records_.set(static_cast<int64_t>(state_.size())); }

  domain::idempotency_policy policy_;
  domain::idempotency_state state_;
  count_share records_;
};

} // namespace tt::actors
