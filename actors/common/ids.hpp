#pragma once
/// Strong id types and the one id scheme. Ids are never bare strings (STYLE.md): mixing up a seat
/// id and a reservation id is a compile error. Minted ids route: `r-<shard>-<event_id>-<ulid>` lets
/// any node find the owner shard of a reservation (`h-` holds, `o-` orders, `p-` payment intents)
/// without a lookup. Waiting tokens (`w-`) route the same way to their event's waiting room.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "actors/common/clock.hpp"
#include "actors/common/result.hpp"

namespace tt {

/// A value of type T that is only interchangeable with values of the same Tag (Redpanda style).
template <class T, class Tag>
class named_type {
 public:
  using type = T;

  named_type() = default;
  explicit named_type(T value) : value_(std::move(value)) {}

  const T& operator()() const noexcept { return value_; }
  const T& get() const noexcept { return value_; }

  friend bool operator==(const named_type& a, const named_type& b) { return a.value_ == b.value_; }
  friend bool operator!=(const named_type& a, const named_type& b) { return a.value_ != b.value_; }
  friend bool operator<(const named_type& a, const named_type& b) { return a.value_ < b.value_; }

 private:
  T value_{};
};

using event_id = named_type<std::string, struct event_id_tag>;
using seat_id = named_type<std::string, struct seat_id_tag>;
using reservation_id = named_type<std::string, struct reservation_id_tag>;
using user_id = named_type<std::string, struct user_id_tag>;
using hold_id = named_type<std::string, struct hold_id_tag>;
using order_id = named_type<std::string, struct order_id_tag>;
using payment_intent_id = named_type<std::string, struct payment_intent_id_tag>;
using idempotency_key = named_type<std::string, struct idempotency_key_tag>;
/// A waiting-room entry, handed to the client as JoinQueue's waiting_token.
using waiting_token_id = named_type<std::string, struct waiting_token_id_tag>;
/// The client's session, which with the user makes a JoinQueue idempotent.
using session_id = named_type<std::string, struct session_id_tag>;
/// The single-use part of a reservation token (RequestAdmission's reply).
using admission_nonce = named_type<std::string, struct admission_nonce_tag>;

/// Longest event id the id scheme (and the catalog) accepts.
inline constexpr std::size_t max_event_id_length = 64;
/// The shard field is 4 hex digits, so a cluster has at most this many shards.
inline constexpr uint32_t max_shard_count = 0x10000;

/// Event ids are 1..64 characters of [A-Za-z0-9._-]: safe in keys, URLs, logs and minted ids.
bool is_valid_event_id(std::string_view id) noexcept;

/// The shard that owns `event`: FNV-1a 64 of the id's bytes modulo `shard_count`. Identical on
/// every node, build and run. Precondition: 1 <= shard_count <= max_shard_count (0 yields shard 0).
uint32_t shard_of(const event_id& event, uint32_t shard_count) noexcept;

/// The shard that keeps a gateway user (adapters/auth/user_directory): FNV-1a 64 of the name in
/// lower case, so a user signs in on one shard whatever case the name is typed in.
uint32_t shard_of_user(std::string_view username, uint32_t shard_count) noexcept;

/// 26 Crockford base32 characters: 48 bits of milliseconds then 80 bits of entropy (ULID layout),
/// so ids minted later sort later.
using ulid = named_type<std::string, struct ulid_tag>;
inline constexpr std::size_t ulid_length = 26;

/// A seed for a generator that is not reproducible: a per-thread generator, itself seeded once
/// from std::random_device, so spawning an actor does not open the OS entropy source each time
/// (perf showed that at 3 % of a node's CPU under CreateReservation load).
uint64_t fresh_seed();

/// Deterministic ULID source. The actor seeds it once (e.g. from fresh_seed()) and passes its
/// clock's `now`; tests pass a fixed seed and fixed times. Within one millisecond (or if time goes
/// backwards) it increments the previous value, so ids from one generator never repeat and stay
/// ordered. Not thread-safe: one generator per actor.
class ulid_generator {
 public:
  explicit ulid_generator(uint64_t seed) noexcept : state_(seed) {}
  ulid next(timestamp now) noexcept;

 private:
  uint64_t next_random() noexcept;

  uint64_t state_;
  uint64_t last_ms_ = 0;
  uint16_t random_hi_ = 0; // the top 16 of the 80 entropy bits
  uint64_t random_lo_ = 0; // the low 64 of the 80 entropy bits
  bool started_ = false;
};

enum class id_kind : char {
  reservation = 'r',
  hold = 'h',
  order = 'o',
  payment_intent = 'p',
  waiting_token = 'w'
};

/// Where a minted id routes to.
struct id_route {
  uint32_t shard = 0;
  event_id event;
};

/// Preconditions: shard < max_shard_count, is_valid_event_id(event), `unique` from ulid_generator.
reservation_id mint_reservation_id(uint32_t shard, const event_id& event, const ulid& unique);
hold_id mint_hold_id(uint32_t shard, const event_id& event, const ulid& unique);
order_id mint_order_id(uint32_t shard, const event_id& event, const ulid& unique);
payment_intent_id mint_payment_intent_id(uint32_t shard, const event_id& event, const ulid& unique);
waiting_token_id mint_waiting_token(uint32_t shard, const event_id& event, const ulid& unique);

/// Recovers shard and event from any text claiming to be an id of `kind`. Malformed input (client
/// supplied, any length or content) yields errc::invalid_argument naming the field; never crashes.
result<id_route> parse_routable_id(id_kind kind, std::string_view text);
result<id_route> route_of(const reservation_id& id);
result<id_route> route_of(const hold_id& id);
result<id_route> route_of(const order_id& id);
result<id_route> route_of(const payment_intent_id& id);
result<id_route> route_of(const waiting_token_id& id);

} // namespace tt

/// Deliberately not noexcept: libstdc++'s unordered containers cache a key's hash in its node
/// only for hashers it may not call as noexcept, and uncached, every lookup rehashes the string
/// of each node it passes and every rehash hashes them all (perf: the room's token map was the
/// node's costliest own symbol under JoinQueue load).
template <class T, class Tag>
struct std::hash<tt::named_type<T, Tag>> {
  std::size_t operator()(const tt::named_type<T, Tag>& x) const { return std::hash<T>{}(x()); }
};
