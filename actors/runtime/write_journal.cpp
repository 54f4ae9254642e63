#include "actors/runtime/write_journal.hpp"

#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/reservation_codec.hpp"

namespace tt::actors {

namespace {

uint64_t fingerprint(const write_scope& scope) {
  return domain::request_fingerprint(scope.canonical);
}

/// Rejections that say nothing about the request itself: the same request may succeed later.
bool is_transient(errc code) {
  return code == errc::unavailable || code == errc::data_corruption || code == errc::timeout;
}

} // namespace

result<std::optional<std::string>> write_journal::start(const write_scope& scope, timestamp now) {
  auto decided = domain::decide(
      state_, domain::begin_request{scope.user, scope.key, fingerprint(scope)}, now, policy_);
  if (!decided)
    return decided.error();
  for (const auto& e : *decided) {
    if (const auto* replay = std::get_if<domain::reply_replayed>(&e))
      return std::optional<std::string>{replay->reply};
    domain::apply(state_, e);
  }
  recount();
  return std::optional<std::string>{};
}

std::optional<caf::result<reservation_reply>> write_journal::begin(const write_scope& scope,
                                                                   timestamp now) {
  return begin_as<reservation_reply>(scope, now, decode_reply);
}

template <class Command>
void write_journal::run(Command command, timestamp now) {
  auto decided = domain::decide(state_, command, now, policy_);
  if (!decided) {
    // Only possible if the record expired while its write ran: there is nothing left to keep.
    spdlog::debug("idempotency: {}", decided.error().message);
    return;
  }
  for (const auto& e : *decided)
    domain::apply(state_, e);
  recount();
}

void write_journal::finish(const write_scope& scope, std::string reply_bytes, timestamp now) {
  run(domain::complete_request{scope.user, scope.key, fingerprint(scope), std::move(reply_bytes)},
      now);
}

void write_journal::settle_error(const write_scope& scope, const caf::error& err, timestamp now) {
  if (auto rejection = to_failure(err); rejection && !is_transient(rejection->code)) {
    finish(scope, encode_reply(*rejection), now);
    return;
  }
  abandon(scope, now);
}

journal_entry write_journal::entry_of(const write_scope& scope, std::string reply_bytes,
                                      timestamp now) const {
  return journal_entry_of(scope, std::move(reply_bytes), now + policy_.ttl);
}

void write_journal::restore(const journal_entry& entry, timestamp now) {
  if (entry.expires_at <= now)
    return;
  domain::apply(
      state_, domain::request_started{entry.user, entry.key, entry.fingerprint, entry.expires_at});
  domain::apply(state_,
                domain::request_completed{entry.user, entry.key, entry.reply, entry.expires_at});
  recount();
}

void write_journal::abandon(const write_scope& scope, timestamp now) {
  run(domain::abandon_request{scope.user, scope.key, fingerprint(scope)}, now);
}

void write_journal::sweep(timestamp now) {
  run(domain::expire_records{}, now);
}

} // namespace tt::actors
