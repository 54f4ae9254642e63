#include <doctest/doctest.h>

#include "adapters/kafka/offset_tracker.hpp"

using tt::adapters::kafka::offset_tracker;
using tt::adapters::kafka::partition_key;

namespace {

const partition_key p0{"tt.hold.expiry", 0};
const partition_key p1{"tt.hold.expiry", 1};

} // namespace

TEST_CASE("the commit point never passes an unfinished event") {
  offset_tracker t;
  for (int64_t o = 10; o < 15; ++o)
    t.started(p0, o);
  t.finished(p0, 10);
  t.finished(p0, 12); // 11 still open (an expiry waiting for its deadline)
  t.finished(p0, 13);
  auto commits = t.take_commits();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].second == 11);
  CHECK(t.unfinished() == 2);
  CHECK(t.take_commits().empty()); // nothing moved since
  t.finished(p0, 11);
  t.finished(p0, 14);
  commits = t.take_commits();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].second == 15); // one past the last, all finished
}

TEST_CASE("partitions are committed independently and forgotten on revocation") {
  offset_tracker t;
  t.started(p0, 0);
  t.started(p1, 7);
  t.finished(p1, 7);
  auto commits = t.take_commits();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].first.partition == 1);
  CHECK(commits[0].second == 8);
  t.forget(p0);
  CHECK(t.unfinished() == 0);
  t.finished(p0, 0); // a late completion of a revoked partition changes nothing
  CHECK(t.take_commits().empty());
}

TEST_CASE("handed_out knows what a rejoined consumer reads again") {
  offset_tracker t;
  CHECK_FALSE(t.handed_out(p0, 0));
  t.started(p0, 5);
  t.started(p0, 6);
  t.finished(p0, 5);
  CHECK(t.handed_out(p0, 5)); // done
  CHECK(t.handed_out(p0, 6)); // still in hand
  CHECK(t.handed_out(p0, 3)); // below: before this consumer's time, done by another
  CHECK_FALSE(t.handed_out(p0, 7));
  CHECK_FALSE(t.handed_out(p1, 5));
  t.forget(p0);
  CHECK_FALSE(t.handed_out(p0, 6)); // a revoked partition is read afresh
}
