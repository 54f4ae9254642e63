// parse_event_json: nlohmann::json's value tree adapted to event_reader.

#include <exception>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/catalog/catalog_format.hpp"
#include "adapters/catalog/event_reader.hpp"
#include "adapters/catalog/schema_text.hpp"

namespace tt::adapters::catalog {
namespace {

using json = nlohmann::json;

struct json_tree {
  using node = const json*;

  static node_kind kind(const node& n) {
    if (n->is_null())
      return node_kind::null;
    if (n->is_object())
      return node_kind::map;
    if (n->is_array())
      return node_kind::sequence;
    if (n->is_string())
      return node_kind::string;
    // Integers only: 150000.0 and numbers too large for 64 bits (parsed as floating point) are not.
    if (n->is_number_integer())
      return node_kind::integer;
    if (n->is_boolean())
      return node_kind::boolean;
    return node_kind::other;
  }

  static std::size_t size(const node& n) { return n->size(); }
  static std::size_t scalar_size(const node& n) {
    return n->is_string() ? n->get_ref<const std::string&>().size() : scalar(n).size();
  }
  static std::string scalar(const node& n) {
    if (n->is_string())
      return n->get<std::string>();
    if (n->is_boolean())
      return n->get<bool>() ? "true" : "false";
    return n->is_number_unsigned() ? std::to_string(n->get<uint64_t>())
                                   : std::to_string(n->get<int64_t>());
  }

  template <class F>
  static result<void> each_element(const node& n, F&& f) {
    for (const auto& item : *n)
      if (auto ok = f(&item); !ok)
        return ok;
    return {};
  }

  template <class F>
  static result<void> each_entry(const node& n, F&& f) {
    for (auto it = n->begin(); it != n->end(); ++it)
      if (auto ok = f(std::optional<std::string_view>{it.key()}, &it.value()); !ok)
        return ok;
    return {};
  }
};

/// Offset of the first bracket nested deeper than `max_depth`, if any. nlohmann's parser is
/// iterative, but a 4 MiB run of '[' still costs a deep tree; refusing it first is cheap.
std::optional<std::size_t> too_deep(std::string_view text, std::size_t max_depth) noexcept {
  bool in_string = false;
  bool escaped = false;
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

/// nlohmann keeps the last of repeated keys silently; the catalog refuses them, as for YAML, so
/// the parser callback remembers the keys of every open object.
class duplicate_key_finder {
 public:
  bool operator()(int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_.empty())
          open_.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_.empty() && !open_.back().insert(parsed.get<std::string>()).second && !found_)
          found_ = parsed.get<std::string>();
        break;
      case json::parse_event_t::array_start:
      case json::parse_event_t::array_end:
      case json::parse_event_t::value:
        break;
    }
    return true;
  }

  const std::optional<std::string>& found() const noexcept { return found_; }

 private:
  std::vector<std::unordered_set<std::string>> open_;
  std::optional<std::string> found_;
};

/// "[json.exception.parse_error.101] parse error at line 1, ..." without the bracketed id.
std::string describe(const json::exception& e) {
  std::string_view what = e.what();
  if (auto end = what.find("] "); end != std::string_view::npos)
    what.remove_prefix(end + 2);
  return printable_prefix(what, 200);
}

} // namespace

result<domain::event_definition> parse_event_json(std::string_view text,
                                                  const format_limits& limits) {
  if (auto ok = check_document(text, limits.max_input_bytes); !ok)
    return std::move(ok).error();
  if (auto at = too_deep(text, limits.max_depth))
    return invalid_field("document", "nested deeper than " + std::to_string(limits.max_depth) +
                                         " levels at byte " + std::to_string(*at));
  // nlohmann reports malformed input by throwing; every exception is converted here, at the call.
  try {
    duplicate_key_finder duplicates;
    json root = json::parse(text.begin(), text.end(), std::ref(duplicates));
    if (duplicates.found())
      return invalid_field("document",
                           "duplicate key \"" + printable_prefix(*duplicates.found()) + "\"",
                           *duplicates.found());
    return event_reader<json_tree>{limits, text.size()}.read(&root);
  } catch (const json::exception& e) {
    return invalid_field("document", "not valid JSON: " + describe(e));
  } catch (const std::exception& e) {
    return invalid_field("document", std::string{"unreadable: "} + printable_prefix(e.what(), 200));
  }
}

} // namespace tt::adapters::catalog
