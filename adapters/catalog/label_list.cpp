#include "adapters/catalog/label_list.hpp"

#include <optional>
#include <unordered_set>

#include "adapters/catalog/schema_text.hpp"

namespace tt::adapters::catalog {
namespace {

/// Nine digits at most: every bound fits uint32_t, and a range never needs overflow checks.
constexpr std::size_t max_bound_digits = 9;

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// A range bound: 1..9 decimal digits without a leading zero ("0" itself is fine). Leading zeros
/// are refused because "01-10" would silently renumber seats the venue calls "01".
std::optional<uint32_t> parse_bound(std::string_view text) noexcept {
  if (text.empty() || text.size() > max_bound_digits || (text.size() > 1 && text[0] == '0'))
    return std::nullopt;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value;
}

} // namespace

result<void> label_list::add(std::string_view spec, const std::string& field) {
  if (trim(spec).empty())
    return invalid_field(field, "must not be empty");
  std::size_t start = 0;
  while (true) {
    std::size_t comma = spec.find(',', start);
    auto text =
        spec.substr(start, comma == std::string_view::npos ? spec.size() - start : comma - start);
    if (auto ok = add_item(trim(text), field); !ok)
      return ok;
    if (comma == std::string_view::npos)
      return {};
    start = comma + 1;
  }
}

result<void> label_list::add_item(std::string_view text, const std::string& field) {
  if (text.empty())
    return invalid_field(field, "empty item in the list");
  auto dash = text.find('-');
  item next;
  std::size_t adds = 1;
  if (dash == std::string_view::npos) {
    if (!domain::is_valid_label(text, limits_))
      return invalid_field(field,
                           "invalid label (1.." + std::to_string(limits_.max_label_length) +
                               " characters of [A-Za-z0-9_]) or range (N-M)",
                           text);
    next.label = std::string{text};
  } else {
    auto first = parse_bound(trim(text.substr(0, dash)));
    auto last = parse_bound(trim(text.substr(dash + 1)));
    if (!first || !last)
      return invalid_field(field, "a range is N-M with decimal numbers of 1..9 digits", text);
    if (*first > *last)
      return invalid_field(field, "a range must ascend (write seats in physical order)", text);
    next.first = *first;
    next.last = *last;
    adds = std::size_t{*last - *first} + 1;
  }
  // Compared as a subtraction so the check itself cannot overflow.
  if (adds > max_count_ - count_)
    return invalid_field(field, "more than " + std::to_string(max_count_) + " entries", text);
  count_ += adds;
  items_.push_back(std::move(next));
  return {};
}

result<std::vector<std::string>> label_list::expand(const std::string& field) const {
  std::vector<std::string> labels;
  labels.reserve(count_);
  for (const auto& entry : items_) {
    if (!entry.label.empty()) {
      labels.push_back(entry.label);
      continue;
    }
    for (uint32_t n = entry.first;; ++n) {
      labels.push_back(std::to_string(n));
      if (n == entry.last)
        break;
    }
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(labels.size());
  for (const auto& label : labels)
    if (!seen.insert(label).second)
      return invalid_field(field, "repeats " + label, label);
  return labels;
}

} // namespace tt::adapters::catalog
