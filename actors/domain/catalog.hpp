#pragma once
/// An event's definition as the catalog describes it (sections → rows → seats, price per section),
/// and its validation. Pure data: YAML/JSON parsing lives in the loader, which calls validate()
/// before handing a definition to an event actor.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"

namespace tt::domain {

/// An amount in minor units (KRW has none, so 1 = ₩1), mirroring common.v1.Money.
struct money {
  int64_t amount = 0;
  std::string currency;
};

inline constexpr std::string_view supported_currency = "KRW";

struct row_definition {
  std::string row;
  /// In physical order: neighbours in this list are adjacent seats (best-available relies on it).
  std::vector<std::string> seat_numbers;
};

struct section_definition {
  std::string section; // the id used in seat ids, e.g. "A"
  std::string name;    // display name, e.g. "Floor A"
  int64_t price = 0;   // per seat, minor units of the event's currency
  std::vector<row_definition> rows;
};

/// An event's waiting room (issue #5). Zero means "the node's default" (queue.* settings), so a
/// catalog file only states what differs.
struct waiting_room_settings {
  /// false: the block is kept but the event runs without a queue, as without the block.
  bool enabled = true;
  uint32_t admissions_per_second = 0;
  uint32_t max_active = 0;
};

struct event_definition {
  event_id id;
  std::string name;
  std::string venue;
  timestamp sale_starts_at; // holds are accepted in [sale_starts_at, sale_ends_at)
  timestamp sale_ends_at;
  std::string currency{supported_currency};
  std::vector<section_definition> sections;
  std::vector<seat_id> blocked_seats; // never sold: pillars, crew, accessibility reserve
  /// Absent: no queue, holds need no reservation token.
  std::optional<waiting_room_settings> waiting_room;
};

struct catalog_limits {
  std::size_t max_seats = 100'000;
  std::size_t max_sections = 1'000;
  /// Section, row and seat-number labels: short, so a seat id stays well under 64 characters.
  std::size_t max_label_length = 20;
  std::size_t max_name_length = 256;
  uint32_t max_admissions_per_second = 100'000;
  uint32_t max_active = 1'000'000;
};

/// "<section>-<row>-<number>", e.g. "A-12-7". Labels contain no '-', so the id is unambiguous.
seat_id make_seat_id(std::string_view section, std::string_view row, std::string_view number);

/// Labels are 1..max_label_length characters of [A-Za-z0-9_].
bool is_valid_label(std::string_view label, const catalog_limits& limits) noexcept;

/// Ok, or errc::invalid_argument for the first problem found, its field path in details
/// (e.g. "sections[1].rows[0].seat_numbers[3]").
result<void> validate(const event_definition& def, const catalog_limits& limits = {});

} // namespace tt::domain
