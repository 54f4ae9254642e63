#pragma once
/// The event catalog's file format: one event per document, in YAML or JSON, both read through one
/// schema (ops/catalog/README.md), so the same event written either way yields the same
/// definition. Pure functions over text: callable from any thread, no I/O, no exceptions escape.
/// Hostile input (deep nesting, aliases, huge numbers, ranges that would expand to billions of
/// seats, invalid UTF-8) is rejected within the limits below, never expanded first.

#include <cstddef>
#include <string_view>

#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"

namespace tt::adapters::catalog {

struct format_limits {
  /// Seats, sections, label and name lengths: the same limits domain::validate applies.
  domain::catalog_limits catalog;
  /// Checked before parsing. A 50,000-seat stadium written with range shorthand takes ~10 KiB.
  std::size_t max_input_bytes = 4 * 1024 * 1024;
  std::size_t max_rows_per_section = 1'000;
  std::size_t max_seats_per_row = 1'000;
  /// JSON nesting (the schema itself needs 5 levels). yaml-cpp enforces its own depth limit.
  std::size_t max_depth = 64;
  /// Files one catalog directory may hold (load_catalog_directory).
  std::size_t max_files = 1'000;
};

/// The event in `text` (YAML 1.2, a single document), validated with domain::validate. Any problem
/// is errc::invalid_argument whose first detail's field is the path of the offending value, e.g.
/// "sections[2].rows[1].seats" ("document" for the text as a whole).
result<domain::event_definition> parse_event_yaml(std::string_view text,
                                                  const format_limits& limits = {});

/// As parse_event_yaml, for the same schema in JSON (AdminService/UpdateConfig "catalog.event").
result<domain::event_definition> parse_event_json(std::string_view text,
                                                  const format_limits& limits = {});

} // namespace tt::adapters::catalog
