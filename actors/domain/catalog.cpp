#include "actors/domain/catalog.hpp"

#include <unordered_set>

namespace tt::domain {
namespace {

failure invalid(std::string field, std::string reason, std::string value = {}) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), std::move(value)}});
}

std::string indexed(std::string_view base, std::size_t i) {
  return std::string{base} + "[" + std::to_string(i) + "]";
}

result<void> validate_header(const event_definition& def, const catalog_limits& limits) {
  if (!is_valid_event_id(def.id()))
    return invalid("event_id", "must be 1..64 characters of [A-Za-z0-9._-]",
                   def.id().substr(0, 128));
  if (def.name.empty() || def.name.size() > limits.max_name_length)
    return invalid("name", "must be 1.." + std::to_string(limits.max_name_length) + " characters");
  if (def.venue.size() > limits.max_name_length)
    return invalid("venue", "too long");
  if (def.sale_starts_at >= def.sale_ends_at)
    return invalid("sale_ends_at", "must be after sale_starts_at");
  if (def.currency != supported_currency)
    return invalid("currency", "only KRW is supported", def.currency.substr(0, 16));
  if (def.sections.empty() || def.sections.size() > limits.max_sections)
    return invalid("sections", "must have 1.." + std::to_string(limits.max_sections) + " sections");
  return {};
}

result<void> validate_section(const section_definition& section, const std::string& path,
                              const catalog_limits& limits, std::size_t& seat_count) {
  if (!is_valid_label(section.section, limits))
    return invalid(path + ".section", "invalid label", section.section.substr(0, 64));
  if (section.name.size() > limits.max_name_length)
    return invalid(path + ".name", "too long");
  if (section.price <= 0)
    return invalid(path + ".price", "must be positive", std::to_string(section.price));
  if (section.rows.empty())
    return invalid(path + ".rows", "must not be empty");
  std::unordered_set<std::string_view> rows;
  for (std::size_t r = 0; r < section.rows.size(); ++r) {
    const auto& row = section.rows[r];
    auto row_path = indexed(path + ".rows", r);
    if (!is_valid_label(row.row, limits))
      return invalid(row_path + ".row", "invalid label", row.row.substr(0, 64));
    if (!rows.insert(row.row).second)
      return invalid(row_path + ".row", "duplicate row", row.row);
    if (row.seat_numbers.empty())
      return invalid(row_path + ".seat_numbers", "must not be empty");
    std::unordered_set<std::string_view> numbers;
    for (std::size_t n = 0; n < row.seat_numbers.size(); ++n) {
      const auto& number = row.seat_numbers[n];
      auto seat_path = indexed(row_path + ".seat_numbers", n);
      if (!is_valid_label(number, limits))
        return invalid(seat_path, "invalid label", number.substr(0, 64));
      if (!numbers.insert(number).second)
        return invalid(seat_path, "duplicate seat number", number);
    }
    seat_count += row.seat_numbers.size();
    if (seat_count > limits.max_seats)
      return invalid("sections", "more than " + std::to_string(limits.max_seats) + " seats");
  }
  return {};
}

result<void> validate_waiting_room(const waiting_room_settings& room,
                                   const catalog_limits& limits) {
  if (room.admissions_per_second > limits.max_admissions_per_second)
    return invalid("waiting_room.admissions_per_second",
                   "at most " + std::to_string(limits.max_admissions_per_second),
                   std::to_string(room.admissions_per_second));
  if (room.max_active > limits.max_active)
    return invalid("waiting_room.max_active", "at most " + std::to_string(limits.max_active),
                   std::to_string(room.max_active));
  return {};
}

} // namespace

seat_id make_seat_id(std::string_view section, std::string_view row, std::string_view number) {
  std::string id;
  id.reserve(section.size() + row.size() + number.size() + 2);
  id.append(section).append(1, '-').append(row).append(1, '-').append(number);
  return seat_id{std::move(id)};
}

bool is_valid_label(std::string_view label, const catalog_limits& limits) noexcept {
  if (label.empty() || label.size() > limits.max_label_length)
    return false;
  for (char c : label) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

result<void> validate(const event_definition& def, const catalog_limits& limits) {
  if (auto ok = validate_header(def, limits); !ok)
    return std::move(ok).error();
  if (def.waiting_room)
    if (auto ok = validate_waiting_room(*def.waiting_room, limits); !ok)
      return std::move(ok).error();
  // Labels cannot contain '-', so unique sections, rows per section and numbers per row already
  // make every "<section>-<row>-<number>" seat id unique.
  std::unordered_set<std::string_view> sections;
  std::size_t seat_count = 0;
  for (std::size_t s = 0; s < def.sections.size(); ++s) {
    const auto& section = def.sections[s];
    auto path = indexed("sections", s);
    if (auto ok = validate_section(section, path, limits, seat_count); !ok)
      return std::move(ok).error();
    if (!sections.insert(section.section).second)
      return invalid(path + ".section", "duplicate section", section.section);
  }
  std::unordered_set<std::string> seats;
  for (const auto& section : def.sections)
    for (const auto& row : section.rows)
      for (const auto& number : row.seat_numbers)
        seats.insert(make_seat_id(section.section, row.row, number)());
  std::unordered_set<std::string_view> blocked;
  for (std::size_t b = 0; b < def.blocked_seats.size(); ++b) {
    const auto& seat = def.blocked_seats[b]();
    if (seats.count(seat) == 0)
      return invalid(indexed("blocked_seats", b), "unknown seat", seat.substr(0, 64));
    if (!blocked.insert(seat).second)
      return invalid(indexed("blocked_seats", b), "duplicate seat", seat);
  }
  return {};
}

} // namespace tt::domain
