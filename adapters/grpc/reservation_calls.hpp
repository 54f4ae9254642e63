#pragma once
/// The reservation RPCs that reservation.v1.ReservationService and gateway.v1.GatewayService
/// both serve (Create, Get, Confirm, Cancel): one implementation, templated over the two
/// services' mirror-image messages. Each: validate shape, translate, ask the shard region, fill.

#include <memory>

#include "actors/domain/admission_token.hpp"
#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"
#include "adapters/grpc/unary_call.hpp"

namespace tt::adapters::rpc {

template <class Request>
actors::write_scope scope_of(const Request& r, const std::string& trace_id) {
  return {user_id{r.user_id()}, idempotency_key{r.idempotency_key()}, canonical_of(r), trace_id};
}

template <class Seats>
std::vector<seat_id> seat_ids_of(const Seats& ids) {
  return {ids.begin(), ids.end()};
}

template <class Request, class Response>
void create_reservation(const call_bridge& bridge, const actors::shard_region& region,
                        std::shared_ptr<unary_call<Request, Response>> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("event_id", r.event_id())
                     .required("user_id", r.user_id())
                     .optional("reservation_token", r.reservation_token(),
                               domain::max_admission_token_length)
                     .key(r.idempotency_key())
                     .each("seat_ids", r.seat_ids())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::create_request msg;
  msg.event = event_id{r.event_id()};
  msg.scope = scope_of(r, call->trace_id());
  msg.seats = seat_ids_of(r.seat_ids());
  msg.quantity = r.quantity();
  msg.reservation_token = r.reservation_token();
  bridge.ask<actors::reservation_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::reservation_reply& reply) {
        fill_created(reply, c.response());
        c.reply();
      },
      std::move(msg));
}

template <class Request, class Response>
void get_reservation(const call_bridge& bridge, const actors::shard_region& region,
                     std::shared_ptr<unary_call<Request, Response>> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .required("user_id", r.user_id())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::reservation_get msg{reservation_id{r.reservation_id()}, user_id{r.user_id()}};
  bridge.ask<actors::reservation_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::reservation_reply& reply) {
        to_proto(reply.reservation, reply.seats, c.response().mutable_reservation());
        c.reply();
      },
      std::move(msg));
}

template <class Request, class Response>
void confirm_reservation(const call_bridge& bridge, const actors::shard_region& region,
                         std::shared_ptr<unary_call<Request, Response>> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .required("payment_intent_id", r.payment_intent_id(), max_key_length)
                     .required("user_id", r.user_id())
                     .key(r.idempotency_key())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::reservation_confirm msg{reservation_id{r.reservation_id()}, scope_of(r, call->trace_id()),
                                  payment_intent_id{r.payment_intent_id()}};
  bridge.ask<actors::reservation_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::reservation_reply& reply) {
        fill_confirmed(reply, c.response());
        c.reply();
      },
      std::move(msg));
}

template <class Request, class Response>
void cancel_reservation(const call_bridge& bridge, const actors::shard_region& region,
                        std::shared_ptr<unary_call<Request, Response>> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .required("user_id", r.user_id())
                     .optional("reason", r.reason(), max_text_length)
                     .key(r.idempotency_key())
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::reservation_cancel msg{reservation_id{r.reservation_id()}, scope_of(r, call->trace_id()),
                                 r.reason()};
  bridge.ask<actors::reservation_reply>(
      std::move(call), region,
      [](unary_call<Request, Response>& c, const actors::reservation_reply& reply) {
        fill_cancelled(reply, c.response());
        c.reply();
      },
      std::move(msg));
}

} // namespace tt::adapters::rpc
