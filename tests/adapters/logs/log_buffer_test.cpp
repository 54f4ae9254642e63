// The GetLogs buffer: given lines added with known levels, times, components and trace ids, a
// query returns exactly the matching ones, newest first, and its cursor pages through them
// without repeats or gaps while new lines keep arriving.
#include "adapters/logs/log_buffer.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace tt::adapters::logs;
using namespace std::chrono_literals;

namespace {

const log_clock::time_point t0{1'700'000'000s};

log_entry line(int second, spdlog::level::level_enum level, std::string message,
               std::string trace = {}) {
  log_entry e;
  e.time = t0 + std::chrono::seconds{second};
  e.level = level;
  e.component = component_of(message);
  e.message = std::move(message);
  e.trace_id = std::move(trace);
  return e;
}

std::vector<std::string> messages(const log_page& page) {
  std::vector<std::string> out;
  for (const auto& e : page.entries)
    out.push_back(e.message);
  return out;
}

/// Six lines, one per second: kafka and grpc, several levels, one with a trace id.
void add_sample(log_buffer& b) {
  b.add(line(0, spdlog::level::info, "kafka: connected"));
  b.add(line(1, spdlog::level::debug, "grpc: /a/B failed, not_found: no such thing", "trace-1"));
  b.add(line(2, spdlog::level::warn, "kafka: broker slow"));
  b.add(line(3, spdlog::level::err, "grpc: /a/C failed, internal: boom", "trace-2"));
  b.add(line(4, spdlog::level::info, "event ev-1: 3 queue stream subscriber(s)"));
  b.add(line(5, spdlog::level::critical, "cannot start: storage: locked"));
}

} // namespace

TEST_CASE("the component is the message's leading name") {
  CHECK(component_of("kafka: embedded cluster on 127.0.0.1:1") == "kafka");
  CHECK(component_of("cannot start: storage: locked") == "cannot start");
  CHECK(component_of("event ev-01abc: waiting room restored") == "event");
  CHECK(component_of("webhook wh-1 to http://x: given up") == "webhook");
  CHECK(component_of("Kafka: capital") == "");
  CHECK(component_of("no colon here") == "");
  CHECK(component_of(": empty") == "");
}

TEST_CASE("a query with no criteria returns every line, newest first") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  auto page = b.query(q);
  REQUIRE(page.entries.size() == 6);
  CHECK(page.entries.front().message == "cannot start: storage: locked");
  CHECK(page.entries.back().message == "kafka: connected");
  CHECK_FALSE(page.has_more);
  CHECK(page.next_cursor.empty());
}

TEST_CASE("the level filter keeps that level and above") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.min_level = spdlog::level::warn;
  CHECK(messages(b.query(q)) == std::vector<std::string>{"cannot start: storage: locked",
                                                         "grpc: /a/C failed, internal: boom",
                                                         "kafka: broker slow"});
}

TEST_CASE("the time range includes its start and excludes its end") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.from = t0 + 1s;
  q.until = t0 + 3s;
  CHECK(messages(b.query(q)) ==
        std::vector<std::string>{"kafka: broker slow",
                                 "grpc: /a/B failed, not_found: no such thing"});
}

TEST_CASE("the component filter matches the component exactly") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.component = "kafka";
  CHECK(messages(b.query(q)) == std::vector<std::string>{"kafka: broker slow", "kafka: connected"});
  q.component = "kaf";
  CHECK(b.query(q).entries.empty());
}

TEST_CASE("search text matches the message case-insensitively, the trace id and field values") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.text = "BROKER";
  CHECK(messages(b.query(q)) == std::vector<std::string>{"kafka: broker slow"});
  q.text = "trace-2";
  auto page = b.query(q);
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].trace_id == "trace-2");
  auto audited = line(6, spdlog::level::info, "audit: something");
  audited.fields = {{"who", "alice"}};
  b.add(audited);
  q.text = "alice";
  CHECK(messages(b.query(q)) == std::vector<std::string>{"audit: something"});
}

TEST_CASE("criteria combine") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.component = "grpc";
  q.min_level = spdlog::level::err;
  q.text = "boom";
  CHECK(messages(b.query(q)) == std::vector<std::string>{"grpc: /a/C failed, internal: boom"});
  q.text = "no such thing"; // a grpc line, but below error
  CHECK(b.query(q).entries.empty());
}

TEST_CASE("the cursor pages through every match once while new lines arrive") {
  log_buffer b{1000, 2048};
  for (int i = 0; i < 25; ++i)
    b.add(line(i, spdlog::level::info, "kafka: old " + std::to_string(i)));
  log_query q;
  q.limit = 10;
  q.text = "old";
  std::vector<std::string> seen;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 10);
    auto page = b.query(q);
    for (auto& m : messages(page))
      seen.push_back(m);
    // Lines arriving between pages match too, but are newer than the cursor: never in a page.
    b.add(line(100 + pages, spdlog::level::info, "kafka: new old-looking line"));
    if (!page.has_more) {
      CHECK(page.next_cursor.empty());
      break;
    }
    auto before = b.parse_cursor(page.next_cursor);
    REQUIRE(before);
    q.before = before;
  }
  REQUIRE(seen.size() == 25);
  for (int i = 0; i < 25; ++i)
    CHECK(seen[static_cast<size_t>(i)] == "kafka: old " + std::to_string(24 - i));
}

TEST_CASE("has_more is false when the page ends exactly at the last match") {
  log_buffer b{100, 2048};
  add_sample(b);
  log_query q;
  q.limit = 6;
  CHECK_FALSE(b.query(q).has_more);
  q.limit = 5;
  auto page = b.query(q);
  CHECK(page.has_more);
  q.before = b.parse_cursor(page.next_cursor);
  CHECK(messages(b.query(q)) == std::vector<std::string>{"kafka: connected"});
}

TEST_CASE(
    "a full buffer drops its oldest lines and a cursor into them continues with what is left") {
  log_buffer b{5, 2048};
  for (int i = 0; i < 8; ++i)
    b.add(line(i, spdlog::level::info, "kafka: line " + std::to_string(i)));
  CHECK(b.size() == 5);
  log_query q;
  q.limit = 2;
  auto page = b.query(q);
  CHECK(messages(page) == std::vector<std::string>{"kafka: line 7", "kafka: line 6"});
  q.before = b.parse_cursor(page.next_cursor);
  for (int i = 8; i < 12; ++i) // pushes lines 3..6 out
    b.add(line(i, spdlog::level::info, "kafka: line " + std::to_string(i)));
  auto rest = b.query(q);
  CHECK(rest.entries.empty());
  CHECK_FALSE(rest.has_more);
}

TEST_CASE("cursors of another run or of another shape do not parse") {
  log_buffer a{10, 2048};
  log_buffer other{10, 2048};
  for (int i = 0; i < 3; ++i)
    a.add(line(i, spdlog::level::info, "kafka: x"));
  log_query q;
  q.limit = 1;
  auto cursor = a.query(q).next_cursor;
  REQUIRE_FALSE(cursor.empty());
  CHECK(a.parse_cursor(cursor) == 3u);
  CHECK_FALSE(other.parse_cursor(cursor));
  CHECK_FALSE(a.parse_cursor(""));
  CHECK_FALSE(a.parse_cursor(cursor + "x"));
  CHECK_FALSE(a.parse_cursor(cursor.substr(0, cursor.find('.') + 1)));
  CHECK_FALSE(a.parse_cursor(cursor.substr(0, cursor.find('.')) + ".99999999999999999999"));
}

TEST_CASE("stored text is valid UTF-8 and messages are cut at the limit on a character boundary") {
  log_buffer b{10, 8};
  b.add(line(0, spdlog::level::info,
             "ab\xff\xfe"
             "cd"));
  b.add(line(1, spdlog::level::info, "abcdefg\xc3\xa9")); // é would straddle byte 8
  b.add(line(2, spdlog::level::info, "\xed\xa0\x80"));    // an encoded surrogate is not UTF-8
  log_query q;
  auto page = b.query(q);
  REQUIRE(page.entries.size() == 3);
  CHECK(page.entries[2].message == "ab??cd");
  CHECK(page.entries[1].message == "abcdefg");
  CHECK(page.entries[0].message == "???");
}

TEST_CASE("a page ends before its text passes the byte budget, with one entry at least") {
  log_buffer b{100, 2048};
  for (int i = 0; i < 10; ++i)
    b.add(line(i, spdlog::level::info, "kafka: " + std::string(100, 'a' + static_cast<char>(i))));
  log_query q;
  q.max_bytes = 400; // three entries of ~140 bytes do not fit, two do
  auto page = b.query(q);
  CHECK(page.entries.size() == 2);
  CHECK(page.has_more);
  q.max_bytes = 1; // smaller than one entry: the page still moves on
  q.before = b.parse_cursor(page.next_cursor);
  page = b.query(q);
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].message == "kafka: " + std::string(100, 'h'));
  CHECK(page.has_more);
}

TEST_CASE("a flood of debug lines cannot push warnings out, and pages merge both kinds by age") {
  log_buffer b{3, 2048};
  b.add(line(0, spdlog::level::warn, "kafka: slow"));
  b.add(line(1, spdlog::level::info, "catalog: loaded"));
  for (int i = 2; i < 100; ++i)
    b.add(line(i, spdlog::level::debug, "grpc: failed " + std::to_string(i)));
  b.add(line(100, spdlog::level::err, "storage: full"));
  CHECK(b.size() == 6);
  log_query q;
  q.limit = 4;
  auto page = b.query(q);
  CHECK(messages(page) == std::vector<std::string>{"storage: full", "grpc: failed 99",
                                                   "grpc: failed 98", "grpc: failed 97"});
  q.before = b.parse_cursor(page.next_cursor);
  page = b.query(q);
  CHECK(messages(page) == std::vector<std::string>{"catalog: loaded", "kafka: slow"});
  CHECK_FALSE(page.has_more);
  log_query warnings;
  warnings.min_level = spdlog::level::warn;
  CHECK(messages(b.query(warnings)) == std::vector<std::string>{"storage: full", "kafka: slow"});
}
