#pragma once
/// The catalog's list syntax for seat numbers and row labels: comma-separated items, each a label
/// ("12", "12A") or an ascending decimal range ("1-30"), e.g. "1-10,12,14-20". Items are counted
/// as they are added and expanded only on request, after the caller has checked the total against
/// its limits, so a few bytes ("1-999999999") can never allocate millions of strings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"

namespace tt::adapters::catalog {

class label_list {
 public:
  /// Accepts at most `max_count` labels in all; labels follow domain::is_valid_label.
  label_list(std::size_t max_count, const domain::catalog_limits& limits) noexcept
      : max_count_(max_count), limits_(limits) {}

  /// Adds the items of one spec ("1-10,12"; spaces around items are ignored). On failure the
  /// error names `field` and the list must be discarded.
  result<void> add(std::string_view spec, const std::string& field);

  /// How many labels expand() yields; never more than max_count.
  std::size_t count() const noexcept { return count_; }

  /// The labels in written order, ranges ascending (so list order is physical order). Fails,
  /// naming `field`, if a label repeats.
  result<std::vector<std::string>> expand(const std::string& field) const;

 private:
  /// A range [first, last] when `label` is empty, else one label.
  struct item {
    std::string label;
    uint32_t first = 0;
    uint32_t last = 0;
  };

  result<void> add_item(std::string_view text, const std::string& field);

  std::size_t max_count_;
  domain::catalog_limits limits_;
  std::vector<item> items_;
  std::size_t count_ = 0;
};

} // namespace tt::adapters::catalog
