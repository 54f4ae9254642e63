// parse_event_yaml: yaml-cpp's node tree adapted to event_reader.

#include <exception>
#include <string>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "adapters/catalog/catalog_format.hpp"
#include "adapters/catalog/event_reader.hpp"
#include "adapters/catalog/schema_text.hpp"

namespace tt::adapters::catalog {
namespace {

/// Longest plain scalar read as an integer: enough for any int64_t, so "out of range" is reported
/// for 20 digits while a 4 MiB run of digits stays a (too long) string and is never copied twice.
constexpr std::size_t max_integer_text = 20;

bool looks_like_integer(const std::string& text) noexcept {
  std::size_t digits_at = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == digits_at || text.size() > max_integer_text + digits_at)
    return false;
  for (std::size_t i = digits_at; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9')
      return false;
  return true;
}

struct yaml_tree {
  using node = YAML::Node;

  static node_kind kind(const node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Map:
        return node_kind::map;
      case YAML::NodeType::Sequence:
        return node_kind::sequence;
      case YAML::NodeType::Scalar:
        // Only a plain scalar (tag "?") can be a number: `price: "150000"` is a string in YAML,
        // as it is in JSON.
        if (n.Tag() != "?")
          return node_kind::string;
        if (looks_like_integer(n.Scalar()))
          return node_kind::integer;
        // YAML 1.2's core schema: only these spellings are booleans.
        return n.Scalar() == "true" || n.Scalar() == "false" ? node_kind::boolean
                                                             : node_kind::string;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return node_kind::null;
    }
    return node_kind::other;
  }

  static std::size_t size(const node& n) { return n.size(); }
  static std::size_t scalar_size(const node& n) { return n.Scalar().size(); }
  static std::string scalar(const node& n) { return n.Scalar(); }

  template <class F>
  static result<void> each_element(const node& n, F&& f) {
    for (const auto& item : n)
      if (auto ok = f(item); !ok)
        return ok;
    return {};
  }

  template <class F>
  static result<void> each_entry(const node& n, F&& f) {
    for (const auto& entry : n) {
      std::optional<std::string_view> key;
      if (entry.first.IsScalar())
        key = entry.first.Scalar();
      if (auto ok = f(key, entry.second); !ok)
        return ok;
    }
    return {};
  }
};

std::string position(const YAML::Mark& mark) {
  if (mark.is_null())
    return {};
  return " at line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1);
}

} // namespace

result<domain::event_definition> parse_event_yaml(std::string_view text,
                                                  const format_limits& limits) {
  if (auto ok = check_document(text, limits.max_input_bytes); !ok)
    return std::move(ok).error();
  // yaml-cpp reports malformed input (including nesting past its depth guard of 2000 levels) by
  // throwing; every exception is converted here, at the call, into the catalog's one failure.
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string{text});
    if (documents.size() != 1)
      return invalid_field("document", "must hold exactly one YAML document (one event per file)");
    return event_reader<yaml_tree>{limits, text.size()}.read(documents.front());
  } catch (const YAML::DeepRecursion& e) {
    // Worded here: yaml-cpp's own message for this is "bad file".
    return invalid_field("document", "nested too deeply" + position(e.mark));
  } catch (const YAML::Exception& e) {
    return invalid_field("document",
                         "not valid YAML" + position(e.mark) + ": " + printable_prefix(e.msg, 200));
  } catch (const std::exception& e) {
    return invalid_field("document", std::string{"unreadable: "} + printable_prefix(e.what(), 200));
  }
}

} // namespace tt::adapters::catalog
