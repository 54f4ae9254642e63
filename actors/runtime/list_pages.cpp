#include "actors/runtime/list_pages.hpp"

namespace tt::actors {

result<list_position> parse_cursor(const std::string& cursor) {
  auto slash = cursor.find('/');
  list_position p;
  bool ok =
      slash != std::string::npos && slash > 0 && slash + 1 < cursor.size() && cursor.size() <= 256;
  if (ok) {
    for (size_t i = 0; i < slash && ok; ++i)
      ok = cursor[i] >= '0' && cursor[i] <= '9';
    ok = ok && slash <= 15; // far beyond any real timestamp, and safe for stoll
  }
  if (!ok)
    return fail(errc::invalid_argument, "pagination.cursor is not a cursor this service issued",
                {{"pagination.cursor", "malformed", cursor.substr(0, 64)}});
  p.created_ms = std::stoll(cursor.substr(0, slash));
  p.id = cursor.substr(slash + 1);
  return p;
}

result<void> check_page_size(int32_t page_size, int32_t max) {
  if (page_size < 1 || page_size > max)
    return fail(errc::invalid_argument, "pagination.page_size must be 1.." + std::to_string(max),
                {{"pagination.page_size", "out of range", std::to_string(page_size)}});
  return {};
}

} // namespace tt::actors
