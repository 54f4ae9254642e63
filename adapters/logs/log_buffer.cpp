#include "adapters/logs/log_buffer.hpp"

#include <algorithm>
#include <cctype>
#include <random>

namespace tt::adapters::logs {

namespace {

/// Length of the UTF-8 sequence starting at `s[i]`, or 0 when it is not a valid one (overlong
/// forms, surrogates and code points past U+10FFFF included).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) {
    return static_cast<unsigned char>(s[k]);
  };
  unsigned char c = byte(i);
  if (c < 0x80)
    return 1;
  size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/// At most `max` bytes of `s`, cut on a character boundary, each invalid byte replaced by '?':
/// GetLogs returns these in proto3 strings, which must be valid UTF-8.
std::string clean_text(std::string_view s, size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (out.size() + std::max<size_t>(n, 1) > max)
      break;
    if (n == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  auto fold = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), fold) !=
         haystack.end();
}

bool matches(const log_entry& e, const log_query& q) {
  if (e.level < q.min_level)
    return false;
  if ((q.from && e.time < *q.from) || (q.until && e.time >= *q.until))
    return false;
  if (!q.component.empty() && e.component != q.component)
    return false;
  if (q.text.empty() || contains_folded(e.message, q.text) || contains_folded(e.trace_id, q.text))
    return true;
  return std::any_of(e.fields.begin(), e.fields.end(),
                     [&](const auto& f) { return contains_folded(f.second, q.text); });
}

/// What an entry adds to a reply, near enough: its text plus a little for the framing.
size_t text_bytes(const log_entry& e) {
  size_t n = 32 + e.message.size() + e.component.size() + e.trace_id.size();
  for (const auto& [key, value] : e.fields)
    n += 8 + key.size() + value.size();
  return n;
}

std::string random_run_id() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 8; ++i)
    out.push_back("0123456789abcdef"[random() % 16]);
  return out;
}

constexpr size_t max_short_text = 256;

} // namespace

std::string component_of(std::string_view message) {
  auto colon = message.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 64)
    return {};
  auto head = message.substr(0, colon);
  auto lower_word = [](std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_' || c == ' ';
    });
  };
  if (lower_word(head))
    return std::string(head);
  // "<component> <id>: ...", where the id is anything without spaces.
  auto space = head.find(' ');
  if (space == std::string_view::npos || !lower_word(head.substr(0, space)))
    return {};
  return std::string(head.substr(0, space));
}

log_buffer::log_buffer(size_t capacity, size_t max_message_bytes)
    : capacity_(std::max<size_t>(capacity, 1)), max_message_bytes_(max_message_bytes),
      run_(random_run_id()) {}

void log_buffer::add(log_entry entry) {
  entry.message = clean_text(entry.message, max_message_bytes_);
  entry.component = clean_text(entry.component, max_short_text);
  entry.trace_id = clean_text(entry.trace_id, max_short_text);
  for (auto& [key, value] : entry.fields) {
    key = clean_text(key, max_short_text);
    value = clean_text(value, max_message_bytes_);
  }
  auto& ring = rings_[entry.level >= spdlog::level::info ? 1 : 0];
  std::lock_guard lock{mutex_};
  entry.seq = next_seq_++;
  if (ring.size() == capacity_)
    ring.pop_front();
  ring.push_back(std::move(entry));
}

log_page log_buffer::query(const log_query& q) const {
  log_page page;
  const size_t limit = std::max<size_t>(q.limit, 1);
  std::lock_guard lock{mutex_};
  // Each ring's end below the cursor; then the two are merged newest first by seq. A query at
  // info or above never reads the ring below it.
  size_t ends[2];
  for (size_t r = 0; r < 2; ++r) {
    const auto& ring = rings_[r];
    ends[r] = ring.size();
    if (r == 0 && q.min_level >= spdlog::level::info)
      ends[r] = 0;
    else if (q.before)
      ends[r] = static_cast<size_t>(
          std::lower_bound(ring.begin(), ring.end(), *q.before,
                           [](const log_entry& e, uint64_t seq) { return e.seq < seq; }) -
          ring.begin());
  }
  size_t bytes = 0;
  while (ends[0] > 0 || ends[1] > 0) {
    size_t r = ends[0] == 0                                              ? 1
               : ends[1] == 0                                            ? 0
               : rings_[0][ends[0] - 1].seq > rings_[1][ends[1] - 1].seq ? 0
                                                                         : 1;
    const auto& e = rings_[r][--ends[r]];
    if (!matches(e, q))
      continue;
    bytes += text_bytes(e);
    if (page.entries.size() == limit || (!page.entries.empty() && bytes > q.max_bytes)) {
      page.has_more = true;
      page.next_cursor = cursor_of(page.entries.back().seq);
      break;
    }
    page.entries.push_back(e);
  }
  return page;
}

std::string log_buffer::cursor_of(uint64_t seq) const {
  return run_ + "." + std::to_string(seq);
}

std::optional<uint64_t> log_buffer::parse_cursor(std::string_view cursor) const {
  if (cursor.size() <= run_.size() + 1 || cursor.substr(0, run_.size()) != run_ ||
      cursor[run_.size()] != '.')
    return std::nullopt;
  auto digits = cursor.substr(run_.size() + 1);
  if (digits.size() > 19)
    return std::nullopt;
  uint64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

size_t log_buffer::size() const {
  std::lock_guard lock{mutex_};
  return rings_[0].size() + rings_[1].size();
}

} // namespace tt::adapters::logs
