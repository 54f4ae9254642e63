#include "adapters/grpc/reservation_service_adapter.hpp"
#include "adapters/grpc/cluster_pages.hpp"
#include "adapters/grpc/page_info.hpp"

#include "adapters/grpc/reservation_calls.hpp"

namespace tt::adapters::rpc {

namespace v1 = reservation::v1;

namespace {

/// ExtendHold asks for whole seconds; the policy grants at most 30, this bounds the request.
constexpr int64_t max_extension_request_seconds = 3600;
constexpr int32_t default_page_size = 20;

} // namespace

reservation_service_adapter::reservation_service_adapter(rpc_service& service, call_bridge bridge,
                                                         actors::shard_region region,
                                                         peer_fanout* peers)
    : bridge_(bridge), region_(std::move(region)), peers_(peers) {
  service.bind_unary<v1::CreateReservationRequest, v1::CreateReservationResponse>(
      "CreateReservation", [this](auto call) { create_reservation(bridge_, region_, call); });
  service.bind_unary<v1::GetReservationRequest, v1::GetReservationResponse>(
      "GetReservation", [this](auto call) { get_reservation(bridge_, region_, call); });
  service.bind_unary<v1::ConfirmReservationRequest, v1::ConfirmReservationResponse>(
      "ConfirmReservation", [this](auto call) { confirm_reservation(bridge_, region_, call); });
  service.bind_unary<v1::CancelReservationRequest, v1::CancelReservationResponse>(
      "CancelReservation", [this](auto call) { cancel_reservation(bridge_, region_, call); });
  service.bind_unary<v1::ListReservationsRequest, v1::ListReservationsResponse>(
      "ListReservations", [this](auto call) { list_reservations(std::move(call)); });
  service.bind_unary<v1::ExtendHoldRequest, v1::ExtendHoldResponse>(
      "ExtendHold", [this](auto call) { extend_hold(std::move(call)); });
}

void reservation_service_adapter::list_reservations(std::shared_ptr<list_call> call) {
  const auto& r = call->request();
  const auto& page = r.pagination();
  if (auto bad = request_check{}
                     .required("user_id", r.user_id())
                     .optional("event_id", r.event_id())
                     .optional("pagination.cursor", page.cursor(), 256)
                     .range("pagination.page_size", page.page_size(), 0, actors::max_page_size)
                     // Pages are addressed by cursor; numbered pages would shift as reservations
                     // are created.
                     .range("pagination.page", page.page(), 0, 1)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::list_query q{user_id{r.user_id()}, static_cast<domain::reservation_status>(r.status()),
                       event_id{r.event_id()}, page.cursor(),
                       page.page_size() == 0 ? default_page_size : page.page_size()};
  if (r.status() < v1::RESERVATION_STATUS_UNSPECIFIED ||
      r.status() > v1::RESERVATION_STATUS_REFUNDED) {
    call->fail(fail(errc::invalid_argument, "status is not a ReservationStatus",
                    {{"status", "unknown value", std::to_string(r.status())}}));
    return;
  }
  // A user's reservations live with their events, on every node; a named event has one owner.
  auto keep = r.event_id().empty() && answers_for_cluster(peers_, *call) ? call : nullptr;
  bridge_.ask<actors::list_answer>(
      std::move(call), region_,
      [this, keep, page_size = q.page_size](list_call& c, const actors::list_answer& answer) {
        auto& resp = c.response();
        for (const auto& item : answer.items)
          to_proto(item, {}, resp.add_reservations());
        fill_page_info(answer, c.request().pagination().cursor(), resp.mutable_page_info());
        if (!keep) {
          c.reply();
          return;
        }
        merge_peer_pages(
            *peers_, keep, "/reservation.v1.ReservationService/ListReservations", page_size,
            [](v1::ListReservationsResponse& r) { return r.mutable_reservations(); },
            [](const v1::Reservation& item) {
              return position_of(item.created_at(), item.reservation_id());
            });
      },
      std::move(q));
}

void reservation_service_adapter::extend_hold(std::shared_ptr<extend_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("reservation_id", r.reservation_id(), max_reservation_id_length)
              .required("user_id", r.user_id())
              .optional("reason", r.reason(), max_text_length)
              .range("extension_seconds", r.extension_seconds(), 1, max_extension_request_seconds)
              .key(r.idempotency_key())
              .result()) {
    call->fail(*bad);
    return;
  }
  actors::reservation_extend msg{reservation_id{r.reservation_id()}, scope_of(r, call->trace_id()),
                                 std::chrono::seconds{r.extension_seconds()}};
  bridge_.ask<actors::reservation_reply>(
      std::move(call), region_,
      [](extend_call& c, const actors::reservation_reply& reply) {
        auto& resp = c.response();
        set_timestamp(resp.mutable_new_expires_at(), reply.reservation.hold_expires_at);
        if (reply.extension) {
          resp.set_extension_allowed(reply.extension->allowed);
          resp.set_extended_seconds(static_cast<int32_t>(
              std::chrono::duration_cast<std::chrono::seconds>(reply.extension->granted).count()));
        }
        c.reply();
      },
      std::move(msg));
}

} // namespace tt::adapters::rpc
