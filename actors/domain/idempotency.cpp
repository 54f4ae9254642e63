#include "actors/domain/idempotency.hpp"

#include "actors/common/hash.hpp"
#include "actors/common/invariant.hpp"
#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

using events = std::vector<idempotency_event>;

result<void> validate_scope(const user_id& user, const idempotency_key& key,
                            const idempotency_policy& policy) {
  if (key().empty())
    return fail(errc::idempotency_required, "an idempotency_key is required for writes",
                {{"idempotency_key", "required", ""}});
  if (key().size() > policy.max_key_length)
    return fail(errc::invalid_argument, "idempotency_key is too long",
                {{"idempotency_key",
                  "at most " + std::to_string(policy.max_key_length) + " characters", ""}});
  if (user().empty())
    return fail(errc::invalid_argument, "user_id is required", {{"user_id", "required", ""}});
  return {};
}

failure no_in_flight(std::string_view action) {
  return fail(errc::failed_precondition,
              "cannot " + std::string{action} + ": no matching request in flight for this key");
}

} // namespace

uint64_t request_fingerprint(std::string_view canonical_request) noexcept {
  return fnv1a64(canonical_request);
}

std::string idempotency_state::scope_of(const user_id& user, const idempotency_key& key) {
  return std::to_string(user().size()) + ":" + user() + key();
}

result<void> key_claims::claim(const user_id& user, const idempotency_key& key,
                               const event_id& event, timestamp now,
                               std::chrono::milliseconds ttl) {
  if (key().empty())
    return {};
  auto scope = idempotency_state::scope_of(user, key);
  const auto* it = claims_.find(scope);
  if (it != nullptr && it->second.expires_at > now && it->second.event != event)
    return fail(errc::idempotency_conflict,
                "this idempotency_key was used for a request on another event",
                {{"idempotency_key", "used on another event", key().substr(0, 128)}});
  auto& slot = *claims_.try_emplace(std::move(scope)).first;
  slot.second.event = event;
  slot.second.expires_at = now + ttl;
  deadlines_.add(slot.second.expires_at, slot);
  return {};
}

const idempotency_record* idempotency_state::find(const user_id& user, const idempotency_key& key,
                                                  timestamp now) const {
  const auto* it = records_.find(scope_of(user, key));
  if (it == nullptr || it->second.record.expires_at <= now)
    return nullptr;
  return &it->second.record;
}

result<std::vector<idempotency_event>> decide(const idempotency_state& s,
                                              const idempotency_command& command, timestamp now,
                                              const idempotency_policy& policy) {
  // The in-flight record a complete/abandon refers to, if it matches.
  auto in_flight = [&](const user_id& user, const idempotency_key& key, uint64_t fingerprint) {
    const auto* r = s.find(user, key, now);
    return r != nullptr && r->phase == request_phase::in_flight && r->fingerprint == fingerprint;
  };
  return std::visit(
      overloaded{
          [&](const begin_request& c) -> result<events> {
            if (auto ok = validate_scope(c.user, c.key, policy); !ok)
              return std::move(ok).error();
            const auto* r = s.find(c.user, c.key, now);
            if (r == nullptr)
              return events{request_started{c.user, c.key, c.fingerprint, now + policy.ttl}};
            if (r->fingerprint != c.fingerprint)
              return fail(errc::idempotency_conflict,
                          "this idempotency_key was used for a different request",
                          {{"idempotency_key", "reused with a different request", c.key()}});
            if (r->phase == request_phase::in_flight)
              return fail(errc::concurrent_modification,
                          "the request with this idempotency_key is still running; retry later");
            return events{reply_replayed{r->reply}};
          },
          [&](const complete_request& c) -> result<events> {
            if (!in_flight(c.user, c.key, c.fingerprint))
              return no_in_flight("complete");
            return events{request_completed{c.user, c.key, c.reply, now + policy.ttl}};
          },
          [&](const abandon_request& c) -> result<events> {
            if (!in_flight(c.user, c.key, c.fingerprint))
              return no_in_flight("abandon");
            return events{request_abandoned{c.user, c.key}};
          },
          [&](const expire_records&) -> result<events> { return events{records_swept{now}}; },
      },
      command);
}

void apply(idempotency_state& s, const idempotency_event& event) {
  auto existing = [&s](const user_id& user, const idempotency_key& key, std::string_view name) {
    auto* it = s.records_.find(idempotency_state::scope_of(user, key));
    if (it == nullptr)
      invariant_breach(std::string{name} + " for an unknown idempotency record");
    return it;
  };
  std::visit(overloaded{
                 [&](const request_started& e) {
                   // Replaces a lapsed record for the same scope, if the sweep has not run yet:
                   // field by field, for its count of deadline entries stays.
                   auto& slot =
                       *s.records_.try_emplace(idempotency_state::scope_of(e.user, e.key)).first;
                   slot.second.user = e.user;
                   slot.second.key = e.key;
                   slot.second.record = {e.fingerprint, request_phase::in_flight, {}, e.expires_at};
                   s.deadlines_.add(e.expires_at, slot);
                 },
                 [&](const request_completed& e) {
                   auto it = existing(e.user, e.key, "request_completed");
                   if (it->second.record.phase != request_phase::in_flight)
                     invariant_breach("request_completed for a record not in flight");
                   it->second.record.phase = request_phase::completed;
                   it->second.record.reply = e.reply;
                   it->second.record.expires_at = e.expires_at;
                   s.deadlines_.add(e.expires_at, *it);
                 },
                 [&](const request_abandoned& e) {
                   // Lapsed at once, so find() no longer sees it; the sweep drops it later.
                   auto& record = existing(e.user, e.key, "request_abandoned")->second.record;
                   record.expires_at = timestamp{};
                   record.reply.clear();
                 },
                 [&](const records_swept& e) { s.deadlines_.sweep(s.records_, e.at); },
                 [&](const reply_replayed&) {},
             },
             event);
}

} // namespace tt::domain
