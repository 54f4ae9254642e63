#pragma once
/// payment_book: an event's payment intents as its actor knows them, the part of the event actor
/// that keeps the payments' read model (each intent's latest stored state, which confirmation and
/// settlement look up, who owns which, and which reservation each pays for). Holds the intents'
/// actors but never sends to them: the event actor does that, so this is tested without CAF.

#include <unordered_map>
#include <vector>

#include "actors/domain/payment.hpp"
#include "actors/domain/reservation.hpp"
#include "actors/runtime/payment_actor.hpp"

namespace tt::actors {

struct payment_entry {
  payment_actor handle;
  /// The intent as its actor last stored it.
  domain::payment_state latest;
};

class payment_book {
 public:
  /// Registers an intent as stored, run by `handle`.
  void add(const domain::payment_state& state, payment_actor handle);
  payment_entry* find(const payment_intent_id& id);
  /// The intent's actor stored `state`. An intent the book does not know is left unknown.
  void update(const domain::payment_state& state);

  /// What this event's payments say about `intent` for `reservation` (domain::outcome_for);
  /// pending when the intent is not one of them.
  domain::payment_outcome outcome_of(const payment_intent_id& intent,
                                     const reservation_id& reservation) const;
  /// `user`'s intents in the order they were made, only those of `status` unless it is
  /// unspecified and of `reservation` unless it is empty.
  std::vector<domain::payment_state> of_user(const user_id& user, domain::payment_status status,
                                             const reservation_id& reservation) const;
  /// The intents of `r` that are owed back (domain::is_orphaned).
  std::vector<payment_intent_id> orphans_of(const domain::reservation_state& r) const;

 private:
  std::unordered_map<payment_intent_id, payment_entry> payments_;
  std::unordered_map<user_id, std::vector<payment_intent_id>> by_user_;
  std::unordered_map<reservation_id, std::vector<payment_intent_id>> by_reservation_;
};

} // namespace tt::actors
