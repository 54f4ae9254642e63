// What a storefront needs and the original gateway lacked: GET /api/v1/events (the catalog) and
// GET /api/v1/events/:id/seats (the seat map with each seat's live status). The contract has no
// call that lists events, so the list is the catalog the node loaded; the live status of seats
// comes from reservation.v1.InventoryService/CheckAvailability, 100 seats a call.
#include "adapters/http/route_support.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "proto/reservation/v1/inventory.pb.h"

namespace tt::adapters::http::routes {

namespace {

/// CheckAvailability takes at most this many seat ids.
constexpr size_t seats_per_call = 100;
/// Past this many seats a seat map is asked for one section at a time (?section=).
constexpr size_t max_seats_per_map = 2'000;

std::string time_text(timestamp t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(to_epoch_ms(t) / 1000);
  return rfc3339(ts);
}

size_t seat_count(const domain::section_definition& s) {
  size_t n = 0;
  for (const auto& row : s.rows)
    n += row.seat_numbers.size();
  return n;
}

json event_json(const domain::event_definition& e) {
  json tiers = json::array();
  size_t total = 0;
  for (const auto& s : e.sections) {
    tiers.push_back({{"section", s.section}, {"name", s.name}, {"price", s.price}});
    total += seat_count(s);
  }
  return {{"event_id", e.id()},
          {"name", e.name},
          {"venue", e.venue},
          {"sale_starts_at", time_text(e.sale_starts_at)},
          {"sale_ends_at", time_text(e.sale_ends_at)},
          {"currency", e.currency},
          {"total_seats", total},
          {"price_tiers", tiers},
          {"waiting_room", e.waiting_room.has_value() && e.waiting_room->enabled}};
}

/// The seat map being answered: filled by the CheckAvailability calls as they come back.
struct seat_map {
  std::mutex mutex;
  size_t calls_left = 0;
  std::set<std::string> taken;
  std::optional<api_error> error;
};

json map_json(const domain::event_definition& e,
              const std::vector<const domain::section_definition*>& sections,
              const std::set<std::string>& taken) {
  std::set<std::string> blocked;
  for (const auto& id : e.blocked_seats)
    blocked.insert(id());
  json out = json::array();
  for (const auto* s : sections) {
    json rows = json::array();
    for (const auto& row : s->rows) {
      json seats = json::array();
      for (const auto& number : row.seat_numbers) {
        auto id = domain::make_seat_id(s->section, row.row, number)();
        auto status = blocked.count(id) ? "blocked" : taken.count(id) ? "taken" : "available";
        seats.push_back({{"seat_id", id}, {"number", number}, {"status", status}});
      }
      rows.push_back({{"row", row.row}, {"seats", seats}});
    }
    out.push_back(
        {{"section", s->section}, {"name", s->name}, {"price", s->price}, {"rows", rows}});
  }
  return {{"event_id", e.id()}, {"currency", e.currency}, {"sections", out}};
}

} // namespace

void events_list(gateway& g, exchange_ptr x) {
  bool queued = g.off_io_thread([&g, x] {
    json items = json::array();
    for (const auto& e : *g.events())
      items.push_back(event_json(e));
    x->reply(200, {{"events", items}});
  });
  if (!queued)
    answer_busy(*x);
}

namespace {

/// The seat ids of `event`'s section `wanted` (every section when empty), in map order; the
/// sections themselves into `sections`.
std::vector<std::string> seat_ids_of(const domain::event_definition& event,
                                     const std::string& wanted,
                                     std::vector<const domain::section_definition*>& sections) {
  std::vector<std::string> ids;
  for (const auto& s : event.sections)
    if (wanted.empty() || s.section == wanted) {
      sections.push_back(&s);
      for (const auto& row : s.rows)
        for (const auto& number : row.seat_numbers)
          ids.push_back(domain::make_seat_id(s.section, row.row, number)());
    }
  return ids;
}

/// Asks for the live status of `event`'s seats (one section, or all) and answers the map.
void answer_seat_map(gateway& g, const exchange_ptr& x,
                     std::shared_ptr<const domain::event_definition> event) {
  auto wanted = x->query("section");
  std::vector<const domain::section_definition*> sections;
  auto ids = seat_ids_of(*event, wanted, sections);
  if (sections.empty()) {
    x->fail(common::v1::ERROR_CODE_NOT_FOUND, "no section '" + wanted + "' in this event");
    return;
  }
  if (ids.size() > max_seats_per_map) {
    x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT,
            "this map has " + std::to_string(ids.size()) + " seats; ask for one ?section=");
    return;
  }
  if (ids.empty()) {
    x->reply(200, map_json(*event, sections, {}));
    return;
  }
  auto map = std::make_shared<seat_map>();
  map->calls_left = (ids.size() + seats_per_call - 1) / seats_per_call;
  for (size_t from = 0; from < ids.size(); from += seats_per_call) {
    reservation::v1::CheckAvailabilityRequest req;
    req.set_event_id(event->id());
    for (size_t i = from; i < std::min(ids.size(), from + seats_per_call); ++i)
      req.add_seat_ids(ids[i]);
    g.client().call<reservation::v1::CheckAvailabilityResponse>(
        "/reservation.v1.InventoryService/CheckAvailability", req, x->trace_id(),
        [x, map, event, sections](const grpc::Status& status,
                                  reservation::v1::CheckAvailabilityResponse& r) {
          std::lock_guard lock{map->mutex};
          if (!status.ok() && !map->error)
            map->error = error_of(status);
          for (const auto& id : r.unavailable_seat_ids())
            map->taken.insert(id);
          if (--map->calls_left > 0)
            return;
          if (map->error)
            x->fail(*map->error);
          else
            x->reply(200, map_json(*event, sections, map->taken));
        });
  }
}

} // namespace

void event_seats(gateway& g, exchange_ptr x) {
  bool queued = g.off_io_thread([&g, x] {
    auto events = g.events();
    auto it = std::find_if(events->begin(), events->end(),
                           [&](const auto& e) { return e.id() == x->params.at(0); });
    if (it == events->end()) {
      x->fail(common::v1::ERROR_CODE_NOT_FOUND, "no such event in the catalog");
      return;
    }
    // Shares the catalog's copy: the map's section pointers stay valid as long as it lives.
    answer_seat_map(g, x, std::shared_ptr<const domain::event_definition>(events, &*it));
  });
  if (!queued)
    answer_busy(*x);
}

} // namespace tt::adapters::http::routes
