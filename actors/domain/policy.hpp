#pragma once
/// Every configurable number of the reservation rules, in one place. The node fills it from its
/// config and passes it to the event actors and reservation actors; the defaults are the product's.

#include <chrono>
#include <cstdint>

namespace tt::domain {

struct reservation_policy {
  /// How long seats stay held after a reservation is created.
  std::chrono::milliseconds hold_duration = std::chrono::seconds{60};
  /// The most one ExtendHold may add; a larger request is granted only this much.
  std::chrono::milliseconds max_extension = std::chrono::seconds{30};
  /// A hold never ends later than created_at + this, however it was extended.
  std::chrono::milliseconds max_hold_lifetime = std::chrono::seconds{90};
  /// How many times one reservation may be extended.
  int32_t max_extensions = 1;
  /// Seats per reservation: 1..max_seats.
  int32_t max_seats = 10;
  /// Seat ids per availability query.
  int32_t max_query_seats = 100;
};

} // namespace tt::domain
