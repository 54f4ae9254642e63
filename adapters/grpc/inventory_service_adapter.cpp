#include "adapters/grpc/inventory_service_adapter.hpp"

#include "adapters/grpc/reservation_calls.hpp"

namespace tt::adapters::rpc {

namespace v1 = reservation::v1;

namespace {

/// ReleaseHold carries no user: its idempotency keys are scoped to the inventory's operators.
const user_id inventory_operator{"inventory-operator"};

std::optional<failure> seats_xor_quantity(int seat_count, int32_t quantity) {
  if ((seat_count > 0) == (quantity != 0))
    return fail(errc::invalid_argument, "give exactly one of seat_ids and quantity",
                {{seat_count > 0 ? "quantity" : "seat_ids", "give exactly one", ""}});
  return std::nullopt;
}

} // namespace

void fill_event(const std::string& event_id, const actors::status_answer& status,
                common::v1::Event* out) {
  out->set_id(event_id);
  out->set_name(status.name);
  out->mutable_venue()->set_name(status.venue);
  set_timestamp(out->mutable_sale_start_time(), status.sale_starts_at);
  set_timestamp(out->mutable_sale_end_time(), status.sale_ends_at);
  out->set_total_seats(status.totals.total);
  out->set_remaining_seats(status.totals.available);
}

inventory_service_adapter::inventory_service_adapter(rpc_service& service, call_bridge bridge,
                                                     actors::shard_region region)
    : bridge_(bridge), region_(std::move(region)) {
  service.bind_unary<v1::CheckAvailabilityRequest, v1::CheckAvailabilityResponse>(
      "CheckAvailability", [this](auto call) { check_availability(std::move(call)); });
  service.bind_unary<v1::ReserveSeatRequest, v1::ReserveSeatResponse>(
      "ReserveSeat", [this](auto call) { reserve_seat(std::move(call)); });
  service.bind_unary<v1::CommitReservationRequest, v1::CommitReservationResponse>(
      "CommitReservation", [this](auto call) { commit_reservation(std::move(call)); });
  service.bind_unary<v1::ReleaseHoldRequest, v1::ReleaseHoldResponse>(
      "ReleaseHold", [this](auto call) { release_hold(std::move(call)); });
  service.bind_unary<v1::GetInventoryStatusRequest, v1::GetInventoryStatusResponse>(
      "GetInventoryStatus", [this](auto call) { get_inventory_status(std::move(call)); });
}

void inventory_service_adapter::check_availability(std::shared_ptr<check_call> call) {
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("event_id", r.event_id())
                 .each("seat_ids", r.seat_ids(), 100)
                 .optional("section", r.section())
                 .range("quantity", r.quantity(), 0, 100)
                 .result();
  if (!bad)
    bad = seats_xor_quantity(r.seat_ids_size(), r.quantity());
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::availability_query q{event_id{r.event_id()}, seat_ids_of(r.seat_ids()), r.quantity(),
                               r.section()};
  bridge_.ask<actors::availability_answer>(
      std::move(call), region_,
      [](check_call& c, const actors::availability_answer& a) {
        auto& resp = c.response();
        resp.set_available(a.available);
        add_seats(a.seats, resp.mutable_available_seats());
        for (const auto& id : a.unavailable)
          resp.add_unavailable_seat_ids(id());
        resp.set_remaining_in_section(a.remaining);
        c.reply();
      },
      std::move(q));
}

void inventory_service_adapter::reserve_seat(std::shared_ptr<reserve_call> call) {
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("event_id", r.event_id())
                 .required("user_id", r.user_id())
                 .key(r.idempotency_key())
                 .each("seat_ids", r.seat_ids())
                 .result();
  // Reservation ids route requests to their event, so the service mints them.
  if (!bad && !r.reservation_id().empty())
    bad = fail(errc::invalid_argument, "leave reservation_id empty: the service mints it",
               {{"reservation_id", "minted by the service", r.reservation_id().substr(0, 64)}});
  if (bad) {
    call->fail(*bad);
    return;
  }
  // ReserveSeatRequest has no reservation_token field: on an event with a waiting room the
  // admission actor refuses it (FORBIDDEN), so ReserveSeat cannot bypass the queue.
  actors::create_request msg{event_id{r.event_id()},
                             scope_of(r, call->trace_id()),
                             seat_ids_of(r.seat_ids()),
                             r.quantity(),
                             {},
                             {}};
  bridge_.ask<actors::reservation_reply>(
      std::move(call), region_,
      [](reserve_call& c, const actors::reservation_reply& reply) {
        auto& resp = c.response();
        resp.set_hold_id(reply.reservation.id());
        add_seats(reply.seats, resp.mutable_reserved_seats());
        set_timestamp(resp.mutable_hold_expires_at(), reply.reservation.hold_expires_at);
        resp.set_status(v1::HOLD_STATUS_ACTIVE);
        c.reply();
      },
      std::move(msg));
}

void inventory_service_adapter::commit_reservation(std::shared_ptr<commit_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .optional("event_id", r.event_id())
                     .required("payment_intent_id", r.payment_intent_id(), max_key_length)
                     .required("user_id", r.user_id())
                     .key(r.idempotency_key())
                     .each("seat_ids", r.seat_ids())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::reservation_confirm msg{reservation_id{r.reservation_id()}, scope_of(r, call->trace_id()),
                                  payment_intent_id{r.payment_intent_id()}, event_id{r.event_id()}};
  bridge_.ask<actors::reservation_reply>(
      std::move(call), region_,
      [](commit_call& c, const actors::reservation_reply& reply) {
        auto& resp = c.response();
        resp.set_order_id(reply.reservation.order());
        add_seats(reply.seats, resp.mutable_sold_seats());
        resp.set_status(v1::COMMIT_STATUS_SUCCESS);
        set_timestamp(resp.mutable_committed_at(), reply.reservation.updated_at);
        c.reply();
      },
      std::move(msg));
}

void inventory_service_adapter::release_hold(std::shared_ptr<release_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .optional("event_id", r.event_id())
                     .optional("reason", r.reason(), max_text_length)
                     .key(r.idempotency_key())
                     .each("seat_ids", r.seat_ids())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::write_scope scope{inventory_operator, idempotency_key{r.idempotency_key()},
                            canonical_of(r), call->trace_id()};
  actors::reservation_release msg{reservation_id{r.reservation_id()}, std::move(scope), r.reason(),
                                  event_id{r.event_id()}};
  bridge_.ask<actors::reservation_reply>(
      std::move(call), region_,
      [](release_call& c, const actors::reservation_reply& reply) {
        auto& resp = c.response();
        add_seats(reply.seats, resp.mutable_released_seats());
        resp.set_status(v1::RELEASE_STATUS_SUCCESS);
        set_timestamp(resp.mutable_released_at(), reply.reservation.updated_at);
        c.reply();
      },
      std::move(msg));
}

void inventory_service_adapter::get_inventory_status(std::shared_ptr<status_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("event_id", r.event_id())
                     .optional("section", r.section())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::status_query q{event_id{r.event_id()}, r.section()};
  bridge_.ask<actors::status_answer>(
      std::move(call), region_,
      [](status_call& c, const actors::status_answer& s) {
        auto& resp = c.response();
        fill_event(c.request().event_id(), s, resp.mutable_event());
        for (const auto& section : s.sections)
          to_proto(section, resp.add_sections());
        auto* stats = resp.mutable_stats();
        stats->set_total_seats(s.totals.total);
        stats->set_available_seats(s.totals.available);
        stats->set_reserved_seats(s.totals.held);
        stats->set_sold_seats(s.totals.sold);
        stats->set_blocked_seats(s.totals.blocked);
        stats->set_availability_percentage(
            s.totals.total == 0 ? 0.0f : 100.0f * s.totals.available / s.totals.total);
        set_timestamp(stats->mutable_last_updated(), s.as_of);
        c.reply();
      },
      std::move(q));
}

} // namespace tt::adapters::rpc
