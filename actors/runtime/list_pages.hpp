#pragma once
/// Cursor pages over a user's items gathered from several event actors (ListReservations,
/// ListPayments): newest first, ordered by (created_at desc, id desc). A cursor is
/// "<created_at ms>/<id>" of the last item of the previous page, so pages stay stable while new
/// items arrive. Items are anything with `created_at` and an `id` named type.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/result.hpp"

namespace tt::actors {

struct list_position {
  int64_t created_ms = 0;
  std::string id;

  template <class Item>
  static list_position of(const Item& item) {
    return {to_epoch_ms(item.created_at), item.id()};
  }
  std::string cursor() const { return std::to_string(created_ms) + "/" + id; }
  /// True if `this` comes before `other` in the list.
  bool before(const list_position& other) const {
    return created_ms != other.created_ms ? created_ms > other.created_ms : id > other.id;
  }
};

/// errc::invalid_argument (field pagination.cursor) for anything this service did not issue.
result<list_position> parse_cursor(const std::string& cursor);

/// errc::invalid_argument (field pagination.page_size) outside 1..max.
result<void> check_page_size(int32_t page_size, int32_t max);

/// One page of `items` after `after`; Answer has `items`, `total` and `next`.
template <class Answer, class Item>
Answer page_of(std::vector<Item> items, int32_t page_size,
               const std::optional<list_position>& after) {
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return list_position::of(a).before(list_position::of(b));
  });
  Answer out;
  out.total = static_cast<int32_t>(items.size());
  auto it = items.begin();
  if (after)
    it = std::find_if(items.begin(), items.end(),
                      [&](const auto& r) { return after->before(list_position::of(r)); });
  for (; it != items.end() && static_cast<int32_t>(out.items.size()) < page_size; ++it)
    out.items.push_back(*it);
  if (it != items.end() && !out.items.empty())
    out.next = list_position::of(out.items.back()).cursor();
  return out;
}

} // namespace tt::actors
