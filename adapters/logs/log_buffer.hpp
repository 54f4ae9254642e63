#pragma once
/// The node's recent log lines, kept in memory for AdminService/GetLogs: bounded rings of
/// structured entries (level, time, component, trace id, fields, message), oldest dropped first.
/// Lines below info (a failed call's line is debug) have a ring of their own, so a flood of bad
/// requests cannot push the warnings and errors out. Thread-safe; `add` is called by the logger's
/// sink on whichever thread logs, `query` by gRPC threads.
///
/// Every entry gets the next sequence number. A page is read newest first and its cursor is the
/// sequence number of its last (oldest) entry, so the next page continues strictly below it:
/// lines arriving meanwhile have higher numbers and never shift a page, and lines dropped from the
/// ring meanwhile are simply absent. The cursor text also names this buffer's run (a random id per
/// process), so a cursor from before a restart is refused rather than misread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "adapters/logs/log_context.hpp"

namespace tt::adapters::logs {

using log_clock = std::chrono::system_clock;

struct log_entry {
  uint64_t seq = 0;
  log_clock::time_point time;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string component;
  std::string trace_id;
  std::string message;
  log_fields fields;
};

/// Which lines a query wants; every criterion set must hold.
struct log_query {
  /// This level and above.
  spdlog::level::level_enum min_level = spdlog::level::trace;
  /// [from, until): either may be open.
  std::optional<log_clock::time_point> from;
  std::optional<log_clock::time_point> until;
  /// Exact component; empty: any.
  std::string component;
  /// Case-insensitive substring of the message, the trace id or a field value; empty: any.
  std::string text;
  size_t limit = 100;
  /// A page also ends before its entries' text passes this many bytes (a reply must fit the
  /// transport's message limit); it holds one entry at least.
  size_t max_bytes = std::numeric_limits<size_t>::max();
  /// Only entries older than this sequence number (a decoded cursor).
  std::optional<uint64_t> before;
};

struct log_page {
  /// Newest first.
  std::vector<log_entry> entries;
  bool has_more = false;
  /// Empty when `has_more` is false.
  std::string next_cursor;
};

/// The component of a line, from the node's convention of starting a message with it:
/// "kafka: ..." -> kafka, "cannot start: ..." -> "cannot start", "event ev-1: ..." -> event (a
/// word, then an id). Empty when the message follows no such pattern.
std::string component_of(std::string_view message);

class log_buffer {
 public:
  /// Keeps the newest `capacity` lines at info and above, and as many below info; messages
  /// longer than `max_message_bytes` are cut there (so memory stays below about
  /// 2 x capacity x max_message_bytes).
  log_buffer(size_t capacity, size_t max_message_bytes);

  /// Stamps the entry with the next sequence number and stores it, dropping the oldest when
  /// full.
  void add(log_entry entry);

  /// The page of matching entries, newest first, at most `q.limit`.
  log_page query(const log_query& q) const;

  /// The sequence number a cursor of this buffer's run stands for; nullopt when `cursor` is
  /// malformed or from another run.
  std::optional<uint64_t> parse_cursor(std::string_view cursor) const;

  /// Lines held, both rings.
  size_t size() const;
  size_t capacity() const noexcept { return capacity_; }

 private:
  std::string cursor_of(uint64_t seq) const;

  const size_t capacity_;
  const size_t max_message_bytes_;
  /// Random per process: cursors of another run do not parse.
  const std::string run_;
  mutable std::mutex mutex_;
  /// [0]: below info, [1]: info and above; each ordered by seq.
  std::deque<log_entry> rings_[2];
  uint64_t next_seq_ = 1;
};

} // namespace tt::adapters::logs
