#pragma once
/// The admission actor's state and the half of its behaviour that stores the room
/// (admission_storage.cpp): what each applied event changes on disk, answering once it is durable,
/// restoring from recovery and closing. Internal to tt_actors; admission_actor.cpp is the rest.

#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime/admission_actor.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/room_records.hpp"

namespace tt::actors::admission_detail {

/// One StreamQueueUpdates subscription: what its subscriber was last told, so only changes are
/// pushed.
struct watcher {
  waiting_token_id token;
  queue_subscriber subscriber;
  domain::queue_position last;
  bool last_maintenance = false;
  timestamp seen_at; // the heartbeat last recorded on the stream's behalf
  /// An operator's word the next push carries once (line_notice), then cleared.
  line_notice notice = line_notice::none;
  std::string notice_text{};
};

/// Who spent a reservation token, so an idempotent retry of that very CreateReservation gets
/// the stored reply instead of "already used"; stored with the entry (spent_admission).
struct spent_token {
  user_id user;
  spent_admission hold;
  timestamp valid_until;
};

struct admission_actor_state;
using self_pointer = admission_actor::stateful_pointer<admission_actor_state>;

/// How a repeated join or grant (nothing new to store) is answered: answer_after_pending, or the
/// negative control's answer_at_once (negative_controls.cpp). Chosen when the actor starts.
using repeat_answerer = void (*)(self_pointer, durable_continuation);

struct admission_actor_state {
  static inline const char* name = "admission_actor";
  domain::waiting_room_state room{event_id{}};
  event_actor holds;
  std::shared_ptr<const runtime_config> config;
  ulid_generator ids{0};
  uint32_t shard = 0;
  /// Tokens whose hold is being decided by the event actor: a second use waits for nothing and
  /// is refused, so two concurrent calls cannot both spend one admission.
  std::unordered_set<admission_nonce> in_flight;
  std::unordered_map<admission_nonce, spent_token> spent;
  /// When a spent admission stops counting as active: the latest its hold can end
  /// (reservation.max_hold_lifetime after the hold), by then confirmed, cancelled or expired.
  /// The backstop only: normally the event actor reports the hold's end (reservation_ended) and
  /// the admission is finished then.
  std::multimap<timestamp, std::pair<admission_nonce, reservation_id>> finishes;
  /// The admission each gated hold came through, until the event actor reports its end.
  std::unordered_map<reservation_id, admission_nonce> admitted_holds;
  /// Open streams by subscriber, each monitored: a subscriber that is down is dropped.
  std::map<caf::actor_addr, watcher> watchers;
  size_t logged_watchers = 0;
  /// The node is in maintenance: every entry's reply and stream say so.
  bool maintenance = false;
  /// Where the room's records go (null: memory only), and the writes not yet durable.
  storage::snapshot_store* store = nullptr;
  durable_queue durable;
  repeat_answerer answer_repeat = nullptr;
};

inline timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

/// decide, then apply every event in place; the events, or the rejection.
result<std::vector<domain::waiting_room_event>> run(self_pointer self,
                                                    const domain::waiting_room_command& command);

/// Stores what `events` changed, then runs `then`. When nothing changed on disk, `then` still
/// waits for the writes already in flight: it may repeat an answer one of them is waiting for.
void store_then(self_pointer self, const std::vector<domain::waiting_room_event>& events,
                durable_continuation then);

/// The guarded way: a repeated join or grant is answered once the first one is durable, so no
/// two answers name an entry a crash could lose.
void answer_after_pending(self_pointer self, durable_continuation then);
/// Negative control only (unsafe_switches::answer_repeats_at_once): answers a repeat at once.
void answer_at_once(self_pointer self, durable_continuation then);

/// Stores what `events` changed without anyone waiting: expiries, advances and finishes. A
/// crash before they are durable repeats them after the restart, which changes no answer given.
void store_quietly(self_pointer self, const std::vector<domain::waiting_room_event>& events);

/// `run`, storing what it changed without waiting.
void run_quietly(self_pointer self, const domain::waiting_room_command& command);

/// Delivers `reply` once `events` are durable, or the store's error.
template <class Reply>
caf::result<Reply> reply_when_stored(self_pointer self,
                                     const std::vector<domain::waiting_room_event>& events,
                                     Reply reply) {
  auto promise = self->make_response_promise<Reply>();
  store_then(self, events, [promise, reply](std::optional<failure> err) mutable {
    if (err)
      promise.deliver(to_caf_error(*err));
    else
      promise.deliver(reply);
  });
  return promise;
}

/// Remembers that `nonce` paid for `hold`: retries get its reply, its end frees the slot.
void remember_spent(self_pointer self, const admission_nonce& nonce, const user_id& user,
                    spent_admission hold, timestamp valid_until);

/// The event no longer has a waiting room: its records go, then the actor.
void close_room(self_pointer self);

/// The room as recovery found it, with what the actor keeps beside its spent admissions.
void restore_room(self_pointer self, const recovered_room& stored,
                  domain::waiting_room_policy policy);

} // namespace tt::actors::admission_detail
