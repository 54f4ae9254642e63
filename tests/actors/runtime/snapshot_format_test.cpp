// The actors' snapshot format: a value written by an older format (bytes captured when that
// format was current, not re-encoded by today's code) must still be read, and a value from a
// newer format must be refused rather than misread. Each format's bytes stay here for good.
#include <doctest/doctest.h>

#include "actors/runtime/event_records.hpp"
#include "actors/runtime/room_records.hpp"
#include "proto/tt/internal/v1/snapshots.pb.h"
#include "tests/storage/store_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt;
using namespace tt::actors;

namespace {

/// A SnapshotEnvelope (format_version 1) holding a ReservationRecord: user-1's hold of A-1-1 and
/// A-1-2 at concert-1, 200,000 KRW, created at 1,700,000,000,000 ms, extended once.
const char* const reservation_v1_hex =
    "0801120b7265736572766174696f6e1a2b722d303032662d636f6e636572742d312d30314846375941543030463539"
    "31"
    "4a443244504841414b3641342aa8010a34747970652e676f6f676c65617069732e636f6d2f74742e696e7465726e61"
    "6c"
    "2e76312e5265736572766174696f6e5265636f726412700a2b722d303032662d636f6e636572742d312d3031484637"
    "59"
    "41543030463539314a443244504841414b3641341209636f6e636572742d311a06757365722d3120022a05412d312d"
    "31"
    "2a05412d312d3230c09a0c3a034b52574080d095ffbc314888f795ffbc3150f0f299ffbc315801";

/// A SnapshotEnvelope (format_version 1) holding a QueueEntryRecord, as tacosd at 7aa0100 stored
/// it (storage header stripped): fmt1-u0 waiting in sac-gala-2027-12-31's room, sequence 1.
/// Format 1 wrote the token three times: in the key, in the envelope and in the record.
const char* const queue_entry_v1_hex =
    "0801120b71756575655f656e7472791a35772d303031662d7361632d67616c612d323032372d31322d33312d30314d"
    "385a45534a5a30454d464e573651525838575130444d522a8b010a33747970652e676f6f676c65617069732e636f6d"
    "2f74742e696e7465726e616c2e76312e5175657565456e7472795265636f726412540a35772d303031662d7361632d"
    "67616c612d323032372d31322d33312d30314d385a45534a5a30454d464e573651525838575130444d521207666d74"
    "312d75301a09732d666d74312d7530200128e097b3f7a334";

const std::string queue_token = "w-001f-sac-gala-2027-12-31-01M8ZESJZ0EMFNW6QRX8WQ0DMR";

size_t occurrences(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

const std::string reservation_key = "concert-1/r-002f-concert-1-01HF7YAT00F591JD2DPHAAK6A4";

} // namespace

TEST_CASE("a reservation written by snapshot format 1 is read back with every field") {
  tests::temp_dir tmp;
  auto store = tests::open_store(tmp.path() / "db");
  REQUIRE_FALSE(
      tests::commit_and_wait(*store, {tests::put(storage::entity_kind::reservation, reservation_key,
                                                 from_hex(reservation_v1_hex))}));
  auto state = load_event_state(*store, event_id{"concert-1"});
  REQUIRE(state);
  REQUIRE(state->reservations.size() == 1);
  const auto& r = state->reservations[0];
  CHECK(r.id() == "r-002f-concert-1-01HF7YAT00F591JD2DPHAAK6A4");
  CHECK(r.event() == "concert-1");
  CHECK(r.owner() == "user-1");
  CHECK(r.status == domain::reservation_status::hold);
  CHECK(r.seats == std::vector<seat_id>{seat_id{"A-1-1"}, seat_id{"A-1-2"}});
  CHECK(r.total.amount == 200'000);
  CHECK(r.total.currency == "KRW");
  CHECK(r.created_at.time_since_epoch().count() == 1'700'000'000'000);
  CHECK(r.updated_at.time_since_epoch().count() == 1'700'000'005'000);
  CHECK(r.hold_expires_at.time_since_epoch().count() == 1'700'000'070'000);
  CHECK(r.extensions == 1);
}

TEST_CASE("a queue entry written by snapshot format 1 is read back, its token from the key") {
  tests::temp_dir tmp;
  auto store = tests::open_store(tmp.path() / "db");
  REQUIRE_FALSE(tests::commit_and_wait(
      *store, {tests::put(storage::entity_kind::queue_entry, "sac-gala-2027-12-31/" + queue_token,
                          from_hex(queue_entry_v1_hex))}));
  auto room = load_room(*store, event_id{"sac-gala-2027-12-31"});
  REQUIRE(room);
  REQUIRE(*room);
  REQUIRE((*room)->entries.size() == 1);
  const auto& e = (*room)->entries[0];
  CHECK(e.entry.token() == queue_token);
  CHECK(e.entry.user() == "fmt1-u0");
  CHECK(e.entry.session() == "s-fmt1-u0");
  CHECK(e.entry.sequence == 1);
  CHECK(e.entry.joined_at.time_since_epoch().count() == 1'796'352'035'808);
  CHECK_FALSE(e.entry.admitted);
  CHECK_FALSE(e.spent);
}

TEST_CASE("today's writer writes format 2: what the key says is not repeated in the value") {
  domain::stored_entry entry;
  entry.token = waiting_token_id{queue_token};
  entry.user = user_id{"fmt1-u0"};
  auto queued = entry_mutation(event_id{"sac-gala-2027-12-31"}, entry, nullptr);
  REQUIRE(queued.value);
  CHECK(occurrences(queued.key, queue_token) == 1);
  CHECK(occurrences(*queued.value, queue_token) == 0);

  tests::temp_dir tmp;
  auto store = tests::open_store(tmp.path() / "db");
  auto stored = from_hex(reservation_v1_hex);
  REQUIRE_FALSE(tests::commit_and_wait(
      *store, {tests::put(storage::entity_kind::reservation, reservation_key, stored)}));
  auto state = load_event_state(*store, event_id{"concert-1"});
  REQUIRE(state);
  REQUIRE(state->reservations.size() == 1);
  auto rewritten = reservation_mutation(state->reservations[0]);
  REQUIRE(rewritten.value);
  CHECK(rewritten.key == reservation_key);
  const std::string id = "r-002f-concert-1-01HF7YAT00F591JD2DPHAAK6A4";
  // Format 1 held the id in the envelope and in the record; the record still needs its own.
  CHECK(occurrences(stored, id) == 2);
  CHECK(occurrences(*rewritten.value, id) == 1);

  tt::internal::v1::SnapshotEnvelope envelope;
  REQUIRE(envelope.ParseFromString(*rewritten.value));
  CHECK(envelope.format_version() == snapshot_format_version);
  CHECK(snapshot_format_version == 2);
}

TEST_CASE("a snapshot from a newer format is refused as data_corruption, never misread") {
  tests::temp_dir tmp;
  auto store = tests::open_store(tmp.path() / "db");
  tt::internal::v1::SnapshotEnvelope envelope;
  REQUIRE(envelope.ParseFromString(from_hex(reservation_v1_hex)));
  envelope.set_format_version(snapshot_format_version + 1);
  REQUIRE_FALSE(
      tests::commit_and_wait(*store, {tests::put(storage::entity_kind::reservation, reservation_key,
                                                 envelope.SerializeAsString())}));
  auto state = load_event_state(*store, event_id{"concert-1"});
  REQUIRE_FALSE(state);
  CHECK(state.error().code == errc::data_corruption);
  CHECK(state.error().message.find("newer version") != std::string::npos);
}

TEST_CASE("a snapshot that does not parse names its key") {
  tests::temp_dir tmp;
  auto store = tests::open_store(tmp.path() / "db");
  REQUIRE_FALSE(tests::commit_and_wait(
      *store, {tests::put(storage::entity_kind::reservation, reservation_key, "\xff\xff\xff")}));
  auto state = load_event_state(*store, event_id{"concert-1"});
  REQUIRE_FALSE(state);
  CHECK(state.error().code == errc::data_corruption);
  CHECK(state.error().message.find(reservation_key) != std::string::npos);
}
