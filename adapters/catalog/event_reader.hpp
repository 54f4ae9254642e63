#pragma once
/// The one catalog schema, walked over a parsed document of either format. `Tree` adapts a
/// parser's node type (yaml_tree, json_tree) to a few primitives; every decision about keys,
/// types, paths and limits is made here once, so YAML and JSON accept exactly the same events.
/// Internal to tt_adapters_catalog: callers use catalog_format.hpp.
///
/// The walk descends only as deep as the schema, so cyclic or deeply nested values are never
/// recursed into, and it counts before it expands: seats against catalog.max_seats, and list text
/// against the input's size. Without aliases every scalar is at most as long as its source text,
/// so only a value repeated through aliases can make the walk read more than the input holds.
///
/// `Tree` provides, for its `node` type:
///   node_kind kind(node); size(node) (sequence elements);
///   scalar_size(node), scalar(node) (string, integer or boolean kinds: the text as written,
///   "true"/"false" for booleans);
///   each_element(node, f) calling f(node), and each_entry(node, f) calling
///   f(std::optional<std::string_view> key, node), both stopping at the first failed result<void>.

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "adapters/catalog/catalog_format.hpp"
#include "adapters/catalog/label_list.hpp"
#include "adapters/catalog/schema_text.hpp"

namespace tt::adapters::catalog {

enum class node_kind { null, map, sequence, string, integer, boolean, other };

template <class Tree>
class event_reader {
  using node = typename Tree::node;
  template <std::size_t N>
  using keys = std::array<std::string_view, N>;
  template <std::size_t N>
  using field_nodes = std::array<std::optional<node>, N>;

  /// Longest timestamp and seat-id text worth reading; anything longer is malformed anyway.
  static constexpr std::size_t max_short_text = 64;

 public:
  /// `input_bytes`: the size of the document's text, the most list text the walk may read.
  event_reader(const format_limits& limits, std::size_t input_bytes) noexcept
      : limits_(limits), spec_bytes_left_(input_bytes) {}

  result<domain::event_definition> read(const node& root) {
    static constexpr keys<9> names{"event_id",       "name",          "venue",
                                   "sale_starts_at", "sale_ends_at",  "currency",
                                   "sections",       "blocked_seats", "waiting_room"};
    field_nodes<9> f;
    domain::event_definition def;
    std::string id;
    if (auto ok = fields(root, "", names, f); !ok)
      return std::move(ok).error();
    static constexpr std::size_t required[] = {0, 1, 3, 4, 6};
    for (std::size_t i : required)
      if (!f[i])
        return invalid_field(std::string{names[i]}, "required");
    if (auto ok = text(*f[0], "event_id", max_event_id_length, id); !ok)
      return std::move(ok).error();
    def.id = event_id{std::move(id)};
    const auto name_length = limits_.catalog.max_name_length;
    if (auto ok = text(*f[1], "name", name_length, def.name); !ok)
      return std::move(ok).error();
    if (f[2])
      if (auto ok = text(*f[2], "venue", name_length, def.venue); !ok)
        return std::move(ok).error();
    if (auto ok = time(*f[3], "sale_starts_at", def.sale_starts_at); !ok)
      return std::move(ok).error();
    if (auto ok = time(*f[4], "sale_ends_at", def.sale_ends_at); !ok)
      return std::move(ok).error();
    if (f[5])
      if (auto ok = text(*f[5], "currency", max_short_text, def.currency); !ok)
        return std::move(ok).error();
    if (auto ok = read_sections(*f[6], def); !ok)
      return std::move(ok).error();
    if (f[7])
      if (auto ok = read_blocked(*f[7], def); !ok)
        return std::move(ok).error();
    if (f[8])
      if (auto ok = read_waiting_room(*f[8], def); !ok)
        return std::move(ok).error();
    if (auto ok = domain::validate(def, limits_.catalog); !ok)
      return std::move(ok).error();
    return def;
  }

 private:
  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string{key} : path + "." + std::string{key};
  }

  static std::string indexed(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  /// Sorts a mapping's entries into `out` by key, refusing unknown and repeated keys so that a
  /// typo ("prise") is an error rather than a silently missing field.
  template <std::size_t N>
  result<void> fields(const node& map, const std::string& path, const keys<N>& names,
                      field_nodes<N>& out) {
    const std::string where = path.empty() ? "document" : path;
    if (Tree::kind(map) != node_kind::map)
      return invalid_field(where, "must be a mapping");
    return Tree::each_entry(
        map, [&](std::optional<std::string_view> key, const node& value) -> result<void> {
          if (!key)
            return invalid_field(where, "keys must be strings");
          auto at = std::find(names.begin(), names.end(), *key);
          if (at == names.end())
            return invalid_field(join(path, printable_prefix(*key)), "unknown key", *key);
          auto& slot = out[static_cast<std::size_t>(at - names.begin())];
          if (slot)
            return invalid_field(join(path, *key), "duplicate key", *key);
          slot = value;
          return {};
        });
  }

  result<void> text(const node& value, const std::string& path, std::size_t max_length,
                    std::string& out) {
    auto kind = Tree::kind(value);
    if (kind != node_kind::string && kind != node_kind::integer)
      return invalid_field(path, "must be a string");
    if (Tree::scalar_size(value) > max_length)
      return invalid_field(path, "longer than " + std::to_string(max_length) + " bytes");
    out = Tree::scalar(value);
    // Parsers decode escapes ("\ud800") after check_document saw the raw text; checking again
    // means no decoder's leniency can put non-UTF-8 into a definition (protobuf needs UTF-8).
    if (first_invalid_utf8(out) != std::string_view::npos)
      return invalid_field(path, "not valid UTF-8");
    return {};
  }

  result<void> label(const node& value, const std::string& path, std::string& out) {
    if (auto ok = text(value, path, limits_.catalog.max_label_length, out); !ok)
      return ok;
    if (!domain::is_valid_label(out, limits_.catalog))
      return invalid_field(path,
                           "must be 1.." + std::to_string(limits_.catalog.max_label_length) +
                               " characters of [A-Za-z0-9_]",
                           out);
    return {};
  }

  result<void> integer(const node& value, const std::string& path, int64_t& out) {
    if (Tree::kind(value) != node_kind::integer)
      return invalid_field(path, "must be an integer");
    auto parsed = parse_int64(Tree::scalar(value));
    if (!parsed)
      return invalid_field(path, "out of range", Tree::scalar(value));
    out = *parsed;
    return {};
  }

  result<void> time(const node& value, const std::string& path, timestamp& out) {
    std::string raw;
    if (auto ok = text(value, path, max_short_text, raw); !ok)
      return ok;
    auto parsed = parse_rfc3339(raw);
    if (!parsed)
      return invalid_field(path, "must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z", raw);
    out = *parsed;
    return {};
  }

  /// A list in label_list syntax: one scalar ("1-10,12") or a sequence of them ([1, 2, "5-9"]).
  result<void> spec(const node& value, const std::string& path, label_list& out) {
    auto add = [&](const node& item, const std::string& item_path) -> result<void> {
      auto kind = Tree::kind(item);
      if (kind != node_kind::string && kind != node_kind::integer)
        return invalid_field(item_path, "must be a label or a range such as \"1-30\"");
      auto size = Tree::scalar_size(item);
      if (size > spec_bytes_left_)
        return invalid_field(item_path, "lists expand past the size of the input");
      spec_bytes_left_ -= size;
      return out.add(Tree::scalar(item), item_path);
    };
    if (Tree::kind(value) != node_kind::sequence)
      return add(value, path);
    if (Tree::size(value) == 0)
      return invalid_field(path, "must not be empty");
    std::size_t i = 0;
    return Tree::each_element(value,
                              [&](const node& item) { return add(item, indexed(path, i++)); });
  }

  result<void> sequence(const node& value, const std::string& path, std::size_t max_size) {
    if (Tree::kind(value) != node_kind::sequence)
      return invalid_field(path, "must be a list");
    auto size = Tree::size(value);
    if (size == 0 || size > max_size)
      return invalid_field(path, "must have 1.." + std::to_string(max_size) + " entries");
    return {};
  }

  result<void> read_sections(const node& value, domain::event_definition& def) {
    if (auto ok = sequence(value, "sections", limits_.catalog.max_sections); !ok)
      return ok;
    return Tree::each_element(value, [&](const node& item) {
      auto path = indexed("sections", def.sections.size());
      return read_section(item, path, def.sections.emplace_back());
    });
  }

  result<void> read_section(const node& value, const std::string& path,
                            domain::section_definition& section) {
    static constexpr keys<4> names{"section", "name", "price", "rows"};
    field_nodes<4> f;
    if (auto ok = fields(value, path, names, f); !ok)
      return ok;
    static constexpr std::size_t required[] = {0, 2, 3};
    for (std::size_t i : required)
      if (!f[i])
        return invalid_field(join(path, names[i]), "required");
    if (auto ok = label(*f[0], join(path, "section"), section.section); !ok)
      return ok;
    section.name = section.section; // the display name defaults to the label
    if (f[1])
      if (auto ok = text(*f[1], join(path, "name"), limits_.catalog.max_name_length, section.name);
          !ok)
        return ok;
    if (auto ok = integer(*f[2], join(path, "price"), section.price); !ok)
      return ok;
    auto rows_path = join(path, "rows");
    if (auto ok = sequence(*f[3], rows_path, limits_.max_rows_per_section); !ok)
      return ok;
    std::unordered_set<std::string> row_labels;
    std::size_t entry = 0;
    return Tree::each_element(*f[3], [&](const node& item) {
      return read_rows(item, indexed(rows_path, entry++), section, row_labels);
    });
  }

  /// One entry of a section's `rows`: a single `row`, or `rows` sharing one `seats` list.
  result<void> read_rows(const node& value, const std::string& path,
                         domain::section_definition& section,
                         std::unordered_set<std::string>& row_labels) {
    static constexpr keys<3> names{"row", "rows", "seats"};
    field_nodes<3> f;
    if (auto ok = fields(value, path, names, f); !ok)
      return ok;
    if (f[0].has_value() == f[1].has_value())
      return invalid_field(path, "needs exactly one of 'row' and 'rows'");
    if (!f[2])
      return invalid_field(join(path, "seats"), "required");
    auto rows_path = join(path, f[0] ? "row" : "rows");
    label_list rows{limits_.max_rows_per_section, limits_.catalog};
    if (f[0]) {
      std::string single;
      if (auto ok = label(*f[0], rows_path, single); !ok)
        return ok;
      if (auto ok = rows.add(single, rows_path); !ok)
        return ok;
    } else if (auto ok = spec(*f[1], rows_path, rows); !ok) {
      return ok;
    }
    label_list seats{limits_.max_seats_per_row, limits_.catalog};
    auto seats_path = join(path, "seats");
    if (auto ok = spec(*f[2], seats_path, seats); !ok)
      return ok;
    // Both counts are checked before anything is expanded.
    if (rows.count() > limits_.max_rows_per_section - section.rows.size())
      return invalid_field(rows_path, "the section would have more than " +
                                          std::to_string(limits_.max_rows_per_section) + " rows");
    std::size_t added = rows.count() * seats.count();
    if (added > limits_.catalog.max_seats - seat_count_)
      return invalid_field(path, "the event would have more than " +
                                     std::to_string(limits_.catalog.max_seats) + " seats");
    seat_count_ += added;
    auto numbers = seats.expand(seats_path);
    if (!numbers)
      return std::move(numbers).error();
    auto labels = rows.expand(rows_path);
    if (!labels)
      return std::move(labels).error();
    for (auto& row : *labels) {
      if (!row_labels.insert(row).second)
        return invalid_field(rows_path, "row " + row + " is already defined in this section", row);
      section.rows.push_back(domain::row_definition{std::move(row), *numbers});
    }
    return {};
  }

  result<void> read_blocked(const node& value, domain::event_definition& def) {
    if (Tree::kind(value) != node_kind::sequence)
      return invalid_field("blocked_seats", "must be a list");
    if (Tree::size(value) > limits_.catalog.max_seats)
      return invalid_field("blocked_seats", "more entries than the seat limit");
    return Tree::each_element(value, [&](const node& item) {
      std::string seat;
      auto path = indexed("blocked_seats", def.blocked_seats.size());
      if (auto ok = text(item, path, max_short_text, seat); !ok)
        return ok;
      def.blocked_seats.emplace_back(std::move(seat));
      return result<void>{};
    });
  }

  /// `waiting_room: {enabled, admissions_per_second, max_active}`, every key optional; numbers
  /// are range-checked by domain::validate.
  result<void> read_waiting_room(const node& value, domain::event_definition& def) {
    static constexpr keys<3> names{"enabled", "admissions_per_second", "max_active"};
    field_nodes<3> f;
    if (auto ok = fields(value, "waiting_room", names, f); !ok)
      return ok;
    domain::waiting_room_settings room;
    if (f[0]) {
      if (Tree::kind(*f[0]) != node_kind::boolean)
        return invalid_field("waiting_room.enabled", "must be true or false");
      room.enabled = Tree::scalar(*f[0]) == "true";
    }
    uint32_t* numbers[] = {&room.admissions_per_second, &room.max_active};
    for (std::size_t i = 1; i < 3; ++i) {
      if (!f[i])
        continue;
      int64_t n = 0;
      auto path = join("waiting_room", names[i]);
      if (auto ok = integer(*f[i], path, n); !ok)
        return ok;
      if (n < 0 || n > std::numeric_limits<uint32_t>::max())
        return invalid_field(path, "out of range", std::to_string(n));
      *numbers[i - 1] = static_cast<uint32_t>(n);
    }
    def.waiting_room = room;
    return {};
  }

  format_limits limits_;
  std::size_t spec_bytes_left_;
  std::size_t seat_count_ = 0;
};

} // namespace tt::adapters::catalog
