#include "actors/common/ids.hpp"

#include "actors/common/hash.hpp"

#include <random>

namespace tt {
namespace {

constexpr std::string_view crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::size_t shard_digits = 4;
// "<kind>-" + shard + "-" ... "-" + ulid
constexpr std::size_t prefix_length = 2 + shard_digits + 1;
constexpr std::size_t suffix_length = 1 + ulid_length;
// Echoing a hostile megabyte back in an error detail helps nobody.
constexpr std::size_t max_echoed_value = 128;

bool is_crockford(char c) noexcept {
  return crockford.find(c) != std::string_view::npos;
}

std::string_view field_of(id_kind kind) noexcept {
  switch (kind) {
    case id_kind::reservation:
      return "reservation_id";
    case id_kind::hold:
      return "hold_id";
    case id_kind::order:
      return "order_id";
    case id_kind::payment_intent:
      return "payment_intent_id";
    case id_kind::waiting_token:
      return "waiting_token";
  }
  return "id";
}

failure malformed(id_kind kind, std::string_view text, std::string reason) {
  std::string field{field_of(kind)};
  std::string value{text.substr(0, max_echoed_value)};
  return fail(errc::invalid_argument, "malformed " + field,
              {error_detail{field, std::move(reason), std::move(value)}});
}

std::string mint(id_kind kind, uint32_t shard, const event_id& event, const ulid& unique) {
  std::string out;
  out.reserve(prefix_length + event().size() + suffix_length);
  out += static_cast<char>(kind);
  out += '-';
  for (int shift = 12; shift >= 0; shift -= 4)
    out += hex_digits[(shard >> shift) & 0xF];
  out += '-';
  out += event();
  out += '-';
  out += unique();
  return out;
}

} // namespace

bool is_valid_event_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_event_id_length)
    return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok)
      return false;
  }
  return true;
}

uint32_t shard_of(const event_id& event, uint32_t shard_count) noexcept {
  if (shard_count == 0)
    return 0;
  return static_cast<uint32_t>(fnv1a64(event()) % shard_count);
}

uint32_t shard_of_user(std::string_view username, uint32_t shard_count) noexcept {
  if (shard_count == 0)
    return 0;
  uint64_t h = fnv1a64_offset;
  for (char c : username) {
    auto lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    h = fnv1a64(std::string_view{&lower, 1}, h);
  }
  return static_cast<uint32_t>(h % shard_count);
}

uint64_t ulid_generator::next_random() noexcept {
  // splitmix64: a full-period, well-mixed sequence from any seed, in five lines.
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

ulid ulid_generator::next(timestamp now) noexcept {
  auto count = now.time_since_epoch().count();
  uint64_t ms = count < 0 ? 0 : static_cast<uint64_t>(count) & 0xFFFFFFFFFFFFull;
  if (started_ && ms <= last_ms_) {
    // Same millisecond or clock stepped back: stay monotonic by incrementing the 80-bit entropy.
    if (++random_lo_ == 0 && ++random_hi_ == 0)
      ++last_ms_; // 2^80 ids in one millisecond: move to the next one rather than repeat
  } else {
    last_ms_ = ms;
    random_lo_ = next_random();
    random_hi_ = static_cast<uint16_t>(next_random());
    started_ = true;
  }
  std::string out(ulid_length, '0');
  // 10 characters carry the 48-bit time (top 2 bits zero), 16 carry the 80 entropy bits.
  for (std::size_t i = 0; i < 10; ++i)
    out[9 - i] = crockford[(last_ms_ >> (5 * i)) & 0x1F];
  for (std::size_t i = 0; i < 16; ++i) {
    std::size_t bit = 5 * i;
    uint64_t hi = random_hi_;
    uint64_t chunk = bit >= 64 ? hi >> (bit - 64) : random_lo_ >> bit;
    if (bit < 64 && bit + 5 > 64)
      chunk |= hi << (64 - bit); // the one character straddling the two words
    out[25 - i] = crockford[chunk & 0x1F];
  }
  return ulid{std::move(out)};
}

reservation_id mint_reservation_id(uint32_t shard, const event_id& event, const ulid& unique) {
  return reservation_id{mint(id_kind::reservation, shard, event, unique)};
}

hold_id mint_hold_id(uint32_t shard, const event_id& event, const ulid& unique) {
  return hold_id{mint(id_kind::hold, shard, event, unique)};
}

order_id mint_order_id(uint32_t shard, const event_id& event, const ulid& unique) {
  return order_id{mint(id_kind::order, shard, event, unique)};
}

payment_intent_id mint_payment_intent_id(uint32_t shard, const event_id& event,
                                         const ulid& unique) {
  return payment_intent_id{mint(id_kind::payment_intent, shard, event, unique)};
}

waiting_token_id mint_waiting_token(uint32_t shard, const event_id& event, const ulid& unique) {
  return waiting_token_id{mint(id_kind::waiting_token, shard, event, unique)};
}

result<id_route> parse_routable_id(id_kind kind, std::string_view text) {
  // The shard and the ulid have fixed widths, so the event id in between may itself contain '-'.
  if (text.size() < prefix_length + 1 + suffix_length ||
      text.size() > prefix_length + max_event_id_length + suffix_length)
    return malformed(kind, text, "wrong length");
  if (text[0] != static_cast<char>(kind) || text[1] != '-')
    return malformed(kind, text, "wrong prefix");
  uint32_t shard = 0;
  for (std::size_t i = 2; i < 2 + shard_digits; ++i) {
    auto digit = hex_digits.find(text[i]);
    if (digit == std::string_view::npos)
      return malformed(kind, text, "shard is not 4 lower-case hex digits");
    shard = shard * 16 + static_cast<uint32_t>(digit);
  }
  if (text[prefix_length - 1] != '-' || text[text.size() - suffix_length] != '-')
    return malformed(kind, text, "missing separator");
  for (char c : text.substr(text.size() - ulid_length))
    if (!is_crockford(c))
      return malformed(kind, text, "unique part is not Crockford base32");
  auto event = text.substr(prefix_length, text.size() - prefix_length - suffix_length);
  if (!is_valid_event_id(event))
    return malformed(kind, text, "invalid event id");
  return id_route{shard, event_id{std::string{event}}};
}

result<id_route> route_of(const reservation_id& id) {
  return parse_routable_id(id_kind::reservation, id());
}

result<id_route> route_of(const hold_id& id) {
  return parse_routable_id(id_kind::hold, id());
}

result<id_route> route_of(const order_id& id) {
  return parse_routable_id(id_kind::order, id());
}

result<id_route> route_of(const payment_intent_id& id) {
  return parse_routable_id(id_kind::payment_intent, id());
}

result<id_route> route_of(const waiting_token_id& id) {
  return parse_routable_id(id_kind::waiting_token, id());
}

uint64_t fresh_seed() {
  thread_local std::mt19937_64 seeds{std::random_device{}()};
  return seeds();
}

} // namespace tt
