#include "adapters/grpc/gateway_service_adapter.hpp"

#include <algorithm>
#include <sstream>

#include "adapters/grpc/inventory_service_adapter.hpp"
#include "adapters/grpc/payment_calls.hpp"
#include "adapters/grpc/proto_time.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_calls.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace {

gateway::v1::HealthStatus to_proto(actors::health_status s) {
  switch (s) {
    case actors::health_status::healthy:
      return gateway::v1::HEALTH_STATUS_HEALTHY;
    case actors::health_status::degraded:
      return gateway::v1::HEALTH_STATUS_DEGRADED;
    case actors::health_status::unhealthy:
      return gateway::v1::HEALTH_STATUS_UNHEALTHY;
  }
  return gateway::v1::HEALTH_STATUS_UNKNOWN;
}

} // namespace

gateway_service_adapter::gateway_service_adapter(rpc_service& service, call_bridge bridge,
                                                 actors::node_health_actor health,
                                                 actors::shard_region region,
                                                 std::optional<auth::jwt_verifier> jwt)
    : bridge_(bridge), health_(std::move(health)), region_(std::move(region)),
      jwt_(std::move(jwt)) {
  namespace v1 = gateway::v1;
  service.bind_unary<v1::HealthCheckRequest, v1::HealthCheckResponse>(
      "HealthCheck", [this](auto call) { health_check(std::move(call)); });
  service.bind_unary<v1::GetEventAvailabilityRequest, v1::GetEventAvailabilityResponse>(
      "GetEventAvailability", [this](auto call) { get_event_availability(std::move(call)); });
  service.bind_unary<v1::CreateReservationRequest, v1::CreateReservationResponse>(
      "CreateReservation", [this](auto call) { create_reservation(bridge_, region_, call); });
  service.bind_unary<v1::GetReservationRequest, v1::GetReservationResponse>(
      "GetReservation", [this](auto call) { get_reservation(bridge_, region_, call); });
  service.bind_unary<v1::ConfirmReservationRequest, v1::ConfirmReservationResponse>(
      "ConfirmReservation", [this](auto call) { confirm_reservation(bridge_, region_, call); });
  service.bind_unary<v1::CancelReservationRequest, v1::CancelReservationResponse>(
      "CancelReservation", [this](auto call) { cancel_reservation(bridge_, region_, call); });
  service.bind_unary<v1::CreatePaymentIntentRequest, v1::CreatePaymentIntentResponse>(
      "CreatePaymentIntent", [this](auto call) { create_payment_intent(bridge_, region_, call); });
  service.bind_unary<v1::GetPaymentStatusRequest, v1::GetPaymentStatusResponse>(
      "GetPaymentStatus", [this](auto call) { get_payment_status(bridge_, region_, call); });
  service.bind_unary<v1::ValidateTokenRequest, v1::ValidateTokenResponse>(
      "ValidateToken", [this](auto call) { validate_token(std::move(call)); });
}

void gateway_service_adapter::validate_token(std::shared_ptr<validate_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("token", r.token(), auth::max_jwt_length)
                     .optional("required_scope", r.required_scope(), max_name_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  if (!jwt_) {
    call->fail(fail(errc::unavailable, "ValidateToken: no JWT key is configured (auth.*)"));
    return;
  }
  auto claims = jwt_->verify(r.token(), system_clock_source{}.now());
  if (!claims) {
    call->fail(claims.error());
    return;
  }
  // OAuth 2's "scope" claim: space-separated names.
  std::vector<std::string> granted;
  if (auto it = claims->string_claims.find("scope"); it != claims->string_claims.end()) {
    std::istringstream names(it->second);
    for (std::string name; names >> name;)
      granted.push_back(name);
  }
  if (!r.required_scope().empty() &&
      std::find(granted.begin(), granted.end(), r.required_scope()) == granted.end()) {
    call->fail(fail(errc::forbidden, "the token lacks scope " + r.required_scope(),
                    {{"required_scope", "not granted", r.required_scope()}}));
    return;
  }
  auto& resp = call->response();
  resp.set_valid(true);
  auto* user = resp.mutable_user();
  user->set_user_id(claims->subject);
  for (const auto& [name, value] : claims->string_claims)
    if (name == "preferred_username" || name == "username")
      user->set_username(value);
    else if (name == "email")
      user->set_email(value);
    else if (name != "sub" && name != "scope" && name != "iss")
      (*user->mutable_attributes())[name] = value;
  for (auto& s : granted)
    resp.add_scopes(std::move(s));
  set_timestamp(resp.mutable_expires_at(), claims->expires_at);
  call->reply();
}

void gateway_service_adapter::get_event_availability(std::shared_ptr<availability_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("event_id", r.event_id())
                     .optional("section", r.section())
                     .range("quantity", r.quantity(), 0, 100)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::status_query q{event_id{r.event_id()}, r.section()};
  bridge_.ask<actors::status_answer>(
      std::move(call), region_,
      [](availability_call& c, const actors::status_answer& s) {
        auto& resp = c.response();
        fill_event(c.request().event_id(), s, resp.mutable_event());
        for (const auto& section : s.sections)
          to_proto(section, resp.add_sections());
        resp.set_total_available(s.totals.available);
        c.reply();
      },
      std::move(q));
}

void gateway_service_adapter::health_check(std::shared_ptr<health_check_call> call) {
  // `service` names one component ("actor_system", "storage"); empty means the whole node.
  const auto& wanted = call->request().service();
  if (auto bad = check_length("service", wanted, max_name_length)) {
    call->fail(*bad);
    return;
  }
  bridge_.ask<actors::health_report>(
      call, health_,
      [wanted](health_check_call& c, const actors::health_report& report) {
        auto& resp = c.response();
        bool found = wanted.empty();
        for (const auto& comp : report.components) {
          if (!wanted.empty() && comp.name != wanted)
            continue;
          found = true;
          auto& out = (*resp.mutable_services())[comp.name];
          out.set_status(to_proto(comp.status));
          out.set_response_time_ms(to_ms_ceil(comp.response_time_us));
          out.set_version(report.version);
          set_timestamp(out.mutable_last_check(), report.checked_at_ms);
        }
        if (!found) {
          c.fail(fail(errc::not_found, "no component named '" + wanted + "'",
                      {{"service", "unknown component", wanted}}));
          return;
        }
        resp.set_status(wanted.empty() ? to_proto(report.overall())
                                       : resp.services().at(wanted).status());
        set_timestamp(resp.mutable_timestamp(), report.checked_at_ms);
        c.reply();
      },
      actors::get_health_atom_v);
}

} // namespace tt::adapters::rpc
