// Reservations: POST /api/v1/reservations, GET /:id, GET (the caller's, paged), POST
// /:id/confirm, /:id/cancel, /:id/extend, each one reservation.v1.ReservationService call with
// the user id from the token and the Idempotency-Key as the call's idempotency key.
#include "adapters/http/route_support.hpp"

#include <cctype>
#include <cstdint>

namespace tt::adapters::http::routes {

namespace v1 = reservation::v1;

namespace {

constexpr const char* service = "/reservation.v1.ReservationService/";
constexpr int64_t default_extension_seconds = 30;

std::string method(const char* name) {
  return std::string{service} + name;
}

/// Integers the contract carries as int32: anything outside is refused, never truncated.
bool fits_int32(exchange& x, const char* name, int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX)
    return true;
  x.fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, std::string{name} + " is out of range");
  return false;
}

/// A write on the reservation the path names, as the caller, under the Idempotency-Key.
template <class Request>
Request write_on_reservation(const exchange& x) {
  Request req;
  req.set_reservation_id(x.params.at(0));
  req.set_user_id(x.user->user_id);
  req.set_idempotency_key(x.idempotency_key);
  return req;
}

std::string status_word(v1::ReservationStatus s) {
  return enum_word(v1::ReservationStatus_Name(s), "RESERVATION_STATUS_");
}

} // namespace

void reservation_create(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  v1::CreateReservationRequest req;
  req.set_event_id(f.text("event_id"));
  for (auto& id : f.texts("seat_ids"))
    req.add_seat_ids(std::move(id));
  auto quantity = f.integer("quantity", 0);
  req.set_reservation_token(f.text("reservation_token"));
  req.set_user_id(x->user->user_id);
  req.set_idempotency_key(x->idempotency_key);
  f.require("event_id", req.event_id());
  if (!f.check(*x) || !fits_int32(*x, "quantity", quantity))
    return;
  // The original clients send both seat_ids and their count; the contract takes one of them.
  if (req.seat_ids_size() == 0 || quantity != req.seat_ids_size())
    req.set_quantity(static_cast<int32_t>(quantity));
  ask<v1::CreateReservationResponse>(
      g, x, method("CreateReservation"), req, [](exchange& ex, v1::CreateReservationResponse& r) {
        json seat_ids = json::array(), seats = json::array();
        for (const auto& s : r.reserved_seats()) {
          seat_ids.push_back(s.id());
          seats.push_back(seat_json(s));
        }
        ex.reply(201, {{"reservation_id", r.reservation_id()},
                       {"status", status_word(r.status())},
                       {"event_id", ex.body.value("event_id", "")},
                       {"seat_ids", seat_ids},
                       {"seats", seats},
                       {"quantity", r.reserved_seats_size()},
                       {"user_id", ex.user->user_id},
                       {"hold_expires_at", rfc3339(r.hold_expires_at())},
                       {"total_amount", r.total_amount().amount()},
                       {"currency", r.total_amount().currency()}});
      });
}

void reservation_get(gateway& g, exchange_ptr x) {
  v1::GetReservationRequest req;
  req.set_reservation_id(x->params.at(0));
  req.set_user_id(x->user->user_id);
  ask<v1::GetReservationResponse>(
      g, x, method("GetReservation"), req,
      [](exchange& ex, v1::GetReservationResponse& r) {
        ex.reply(200, reservation_json(r.reservation()));
      },
      hide_others);
}

void reservation_list(gateway& g, exchange_ptr x) {
  v1::ListReservationsRequest req;
  req.set_user_id(x->user->user_id);
  req.set_event_id(x->query("event_id"));
  auto status = x->query("status");
  if (!status.empty()) {
    for (auto& c : status)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v1::ReservationStatus parsed;
    if (!v1::ReservationStatus_Parse("RESERVATION_STATUS_" + status, &parsed)) {
      x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, "status is not a reservation status");
      return;
    }
    req.set_status(parsed);
  }
  auto size = x->query("page_size");
  if (!size.empty()) {
    if (size.size() > 4 || size.find_first_not_of("0123456789") != std::string::npos) {
      x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, "page_size must be a small number");
      return;
    }
    req.mutable_pagination()->set_page_size(std::stoi(size));
  }
  req.mutable_pagination()->set_cursor(x->query("cursor"));
  ask<v1::ListReservationsResponse>(g, x, method("ListReservations"), req,
                                    [](exchange& ex, v1::ListReservationsResponse& r) {
                                      json items = json::array();
                                      for (const auto& res : r.reservations())
                                        items.push_back(reservation_json(res));
                                      ex.reply(200, {{"reservations", items},
                                                     {"total_count", r.page_info().total_count()},
                                                     {"has_more", r.page_info().has_next_page()},
                                                     {"next_cursor", r.page_info().next_cursor()}});
                                    });
}

void reservation_confirm(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto req = write_on_reservation<v1::ConfirmReservationRequest>(*x);
  req.set_payment_intent_id(f.text("payment_intent_id"));
  if (!f.check(*x))
    return;
  ask<v1::ConfirmReservationResponse>(
      g, x, method("ConfirmReservation"), req,
      [](exchange& ex, v1::ConfirmReservationResponse& r) {
        ex.reply(200, {{"reservation_id", ex.params.at(0)},
                       {"order_id", r.order_id()},
                       {"status", status_word(r.status())},
                       {"confirmed_at", rfc3339(r.confirmed_at())}});
      },
      hide_others);
}

void reservation_cancel(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto req = write_on_reservation<v1::CancelReservationRequest>(*x);
  req.set_reason(f.text("reason"));
  if (!f.check(*x))
    return;
  ask<v1::CancelReservationResponse>(
      g, x, method("CancelReservation"), req,
      [](exchange& ex, v1::CancelReservationResponse& r) {
        ex.reply(200, {{"reservation_id", ex.params.at(0)},
                       {"status", status_word(r.status())},
                       {"cancelled_at", rfc3339(r.cancelled_at())}});
      },
      hide_others);
}

void reservation_extend(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto req = write_on_reservation<v1::ExtendHoldRequest>(*x);
  auto seconds = f.integer("extension_seconds", default_extension_seconds);
  req.set_reason(f.text("reason"));
  if (!f.check(*x) || !fits_int32(*x, "extension_seconds", seconds))
    return;
  req.set_extension_seconds(static_cast<int32_t>(seconds));
  ask<v1::ExtendHoldResponse>(
      g, x, method("ExtendHold"), req,
      [](exchange& ex, v1::ExtendHoldResponse& r) {
        ex.reply(200, {{"reservation_id", ex.params.at(0)},
                       {"hold_expires_at", rfc3339(r.new_expires_at())},
                       {"extended_seconds", r.extended_seconds()},
                       {"extension_allowed", r.extension_allowed()}});
      },
      hide_others);
}

} // namespace tt::adapters::http::routes
