#pragma once
/// reservation_book: an event's reservations as its actor knows them, the part of the event actor
/// that keeps the read model (each reservation's latest stored state, and who owns which) and
/// decides which reservation actors are idle enough to stop (passivation). Holds the actors'
/// handles but never sends to them: the event actor does that, so this is tested without CAF.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/common/segmented_map.hpp"
#include "actors/domain/reservation.hpp"
#include "actors/runtime/reservation_actor.hpp"

namespace tt::actors {

struct reservation_entry {
  /// Empty while passivated: the actor is spawned again from `latest` on the next request.
  std::optional<reservation_actor> handle;
  /// The reservation as its actor last reported it, after the change was stored (the read model
  /// for listing, and the snapshot a passivated reservation comes back from).
  domain::reservation_state latest;
  timestamp last_used;
  /// Requests routed to the actor and not answered yet: an actor with any is never passivated.
  int32_t in_flight = 0;
};

class reservation_book {
 public:
  /// Never erased from (a reservation's state stays as the read model), so pointers to its
  /// elements stay valid. Segmented, so that growing past hundreds of thousands of reservations
  /// does not rehash them all in one turn of the event actor.
  using table = segmented_map<reservation_id, reservation_entry>;
  using value_type = table::value_type;

  /// Registers a reservation as stored. `handle` is its running actor (it may be idle from `now`
  /// on), or nullopt when it starts passivated.
  value_type& add(const domain::reservation_state& state, std::optional<reservation_actor> handle,
                  timestamp now);
  value_type* find(const reservation_id& id) { return reservations_.find(id); }
  const domain::reservation_state& latest(const reservation_id& id) const {
    return reservations_.at(id).latest;
  }
  bool empty() const noexcept { return reservations_.empty(); }
  std::size_t size() const noexcept { return reservations_.size(); }
  template <class F>
  void for_each(F&& f) {
    reservations_.for_each(std::forward<F>(f));
  }

  /// `user`'s reservations in the order they were made, only those of `status` unless it is
  /// unspecified.
  std::vector<domain::reservation_state> of_user(const user_id& user,
                                                 domain::reservation_status status) const;

  /// `r` may be idle from `now` on: its actor started, a request to it was answered, or its hold
  /// ended.
  void mark_used(value_type& r, timestamp now);

  /// Starts a passivation pass: lists the reservations unused for `after` by `now` whose actor
  /// may stop. Returns false (and lists nothing) while the last pass is still under way.
  bool begin_pass(timestamp now, std::chrono::milliseconds after);
  /// The next at most `limit` reservations of the pass that are still idle; their actors are to
  /// be stopped now. Entries used again since the pass began are skipped.
  std::vector<reservation_entry*> next_idle(timestamp now, std::chrono::milliseconds after,
                                            std::size_t limit);
  /// True while the pass has reservations left to look at.
  bool passing() const noexcept { return !to_passivate_.empty(); }

  /// CLEAR_CACHE's look at every reservation: the running actors that may stop now however
  /// recently they were used (past their hold, nothing in flight), how many running ones must
  /// stay, and how many are passivated already.
  struct census {
    std::vector<reservation_entry*> idle;
    int64_t kept = 0;
    int64_t passivated = 0;
  };
  census idle_now();

 private:
  table reservations_;
  std::unordered_map<user_id, std::vector<reservation_id>> by_user_;
  /// (when, reservation) each time a reservation may have become idle (mark_used). A pass takes
  /// from the front what is older than its threshold, so it costs what it may passivate: a walk
  /// of every reservation, a million after a flash sale, held the event actor for tens of
  /// milliseconds every sweep.
  std::deque<std::pair<timestamp, value_type*>> idle_order_;
  /// What the current pass found idle and has not handed out yet.
  std::vector<value_type*> to_passivate_;
};

} // namespace tt::actors
