#include "adapters/grpc/webhook_service_adapter.hpp"

#include <random>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "actors/common/hmac.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"
#include "adapters/webhooks/webhook_signature.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// The bytes a webhook's signature covers: `m` serialized deterministically (map entries in key
/// order), which every protobuf implementation reproduces.
std::string signed_bytes(const google::protobuf::Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream{&out};
    google::protobuf::io::CodedOutputStream coded{&stream};
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

/// Signature, then timestamp; the failure to answer with, if any.
std::optional<failure> check_signature(const std::string& secret, int64_t unix_seconds,
                                       const std::string& body, const std::string& signature) {
  auto ok = webhooks::verify(secret, unix_seconds, body, signature,
                             to_epoch_ms(system_clock_source{}.now()) / 1000);
  if (!ok)
    return ok.error();
  return std::nullopt;
}

/// A replay is refused; anything else the worker said is the answer.
std::optional<failure> replayed(const actors::effect_reply& reply, const std::string& id) {
  if (reply.status != actors::effect_status::duplicate)
    return std::nullopt;
  return fail(errc::failed_precondition, "webhook " + id.substr(0, 128) + " was received before",
              {{"webhook_id", "replayed", id.substr(0, 128)}});
}

/// Hands a verified webhook's job to the worker; a replay is refused, anything else accepted
/// with what the worker did (only payment webhooks' responses say it: next_action).
template <class Call>
void accept(const call_bridge& bridge, const actors::worker_actor& worker,
            std::shared_ptr<Call> call, actors::worker_job job) {
  bridge.ask<actors::effect_reply>(
      std::move(call), worker,
      [](Call& c, const actors::effect_reply& reply) {
        if (auto again = replayed(reply, c.request().webhook_id())) {
          c.fail(*again);
          return;
        }
        auto& resp = c.response();
        resp.set_accepted(true);
        resp.set_correlation_id(c.request().webhook_id());
        set_timestamp(resp.mutable_processed_at(), system_clock_source{}.now());
        if constexpr (std::is_same_v<std::decay_t<decltype(resp)>,
                                     v1::ReceivePaymentWebhookResponse>)
          resp.set_next_action(reply.note);
        c.reply();
      },
      std::move(job));
}

std::string random_id() {
  std::random_device rd;
  std::string bytes(12, '\0');
  for (auto& b : bytes)
    b = static_cast<char>(rd() & 0xff);
  return "whr-" + to_hex(bytes);
}

constexpr size_t max_signature_length = 256;
constexpr size_t min_secret_length = 16;
constexpr size_t max_secret_length = 256;
constexpr size_t max_payload_length = 64 * 1024;

} // namespace

webhook_service_adapter::webhook_service_adapter(rpc_service& service, call_bridge bridge,
                                                 actors::worker_actor worker,
                                                 webhooks::webhook_registry& registry,
                                                 std::string signing_secret)
    : bridge_(bridge), worker_(std::move(worker)), registry_(registry),
      signing_secret_(std::move(signing_secret)) {
  service.bind_unary<v1::ReceivePaymentWebhookRequest, v1::ReceivePaymentWebhookResponse>(
      "ReceivePaymentWebhook", [this](auto call) { receive_payment(std::move(call)); });
  service.bind_unary<v1::ReceiveExpiryWebhookRequest, v1::ReceiveExpiryWebhookResponse>(
      "ReceiveExpiryWebhook", [this](auto call) { receive_expiry(std::move(call)); });
  service.bind_unary<v1::RegisterWebhookRequest, v1::RegisterWebhookResponse>(
      "RegisterWebhook", [this](auto call) { register_webhook(std::move(call)); });
  service.bind_unary<v1::ValidateWebhookRequest, v1::ValidateWebhookResponse>(
      "ValidateWebhook", [this](auto call) { validate(std::move(call)); });
}

std::string webhook_service_adapter::secret_of(const std::string& source) const {
  if (!source.empty())
    if (auto r = registry_.by_service(source))
      return r->secret;
  return signing_secret_;
}

void webhook_service_adapter::receive_payment(std::shared_ptr<payment_call> call) {
  const auto& r = call->request();
  const auto& d = r.data();
  auto bad =
      request_check{}
          .required("webhook_id", r.webhook_id(), max_key_length)
          .range("event_type", r.event_type(), v1::PAYMENT_WEBHOOK_TYPE_APPROVED,
                 v1::PAYMENT_WEBHOOK_TYPE_PENDING)
          .required("data.payment_intent_id", d.payment_intent_id(), max_reservation_id_length)
          .optional("data.reservation_id", d.reservation_id(), max_reservation_id_length)
          .optional("data.transaction_id", d.transaction_id(), max_key_length)
          .optional("data.failure_reason", d.failure_reason(), max_text_length)
          .required("signature", r.signature(), max_signature_length)
          .optional("source", r.source(), max_name_length)
          .range("attempt", r.attempt(), 0, 100)
          .result();
  if (!bad && !r.has_timestamp())
    bad = fail(errc::invalid_argument, "timestamp is required", {{"timestamp", "required", ""}});
  if (!bad && d.metadata_size() > static_cast<int>(max_list_length))
    bad = fail(errc::invalid_argument, "data.metadata has too many entries",
               {{"data.metadata", "at most " + std::to_string(max_list_length), ""}});
  if (!bad) {
    auto unsigned_request = r;
    unsigned_request.clear_signature();
    bad = check_signature(secret_of(r.source()), r.timestamp().seconds(),
                          signed_bytes(unsigned_request), r.signature());
  }
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::worker_job job{"webhook:" + r.webhook_id(),
                         {actors::effect_kind::payment_result,
                          reservation_id{d.reservation_id()},
                          payment_intent_id{d.payment_intent_id()},
                          {},
                          call->trace_id()},
                         {}};
  accept(bridge_, worker_, std::move(call), std::move(job));
}

void webhook_service_adapter::receive_expiry(std::shared_ptr<expiry_call> call) {
  const auto& r = call->request();
  auto signature = r.metadata().count("signature") ? r.metadata().at("signature") : std::string{};
  auto bad = request_check{}
                 .required("webhook_id", r.webhook_id(), max_key_length)
                 .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                 .optional("source", r.source(), max_name_length)
                 .required("metadata.signature", signature, max_signature_length)
                 .result();
  if (!bad && !r.has_expired_at())
    bad = fail(errc::invalid_argument, "expired_at is required", {{"expired_at", "required", ""}});
  if (!bad && r.metadata_size() > static_cast<int>(max_list_length))
    bad = fail(errc::invalid_argument, "metadata has too many entries",
               {{"metadata", "at most " + std::to_string(max_list_length), ""}});
  if (!bad) {
    // The signature travels in metadata (the message has no field for it) and covers the rest;
    // expired_at is the signed timestamp.
    auto unsigned_request = r;
    unsigned_request.mutable_metadata()->erase("signature");
    bad = check_signature(secret_of(r.source()), r.expired_at().seconds(),
                          signed_bytes(unsigned_request), signature);
  }
  if (bad) {
    call->fail(*bad);
    return;
  }
  actors::worker_job job{"webhook:" + r.webhook_id(),
                         {actors::effect_kind::hold_expiry,
                          reservation_id{r.reservation_id()},
                          {},
                          {},
                          call->trace_id()},
                         {}};
  accept(bridge_, worker_, std::move(call), std::move(job));
}

void webhook_service_adapter::register_webhook(std::shared_ptr<register_call> call) {
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("service_name", r.service_name(), max_name_length)
                 .required("endpoint_url", r.endpoint_url(), max_text_length)
                 .required("secret", r.secret(), max_secret_length)
                 .range("config.retry_count", r.config().retry_count(), 0, 10)
                 .range("config.timeout_seconds", r.config().timeout_seconds(), 0, 60)
                 .result();
  if (!bad && r.endpoint_url().rfind("http://", 0) != 0 &&
      r.endpoint_url().rfind("https://", 0) != 0)
    bad = fail(errc::invalid_argument, "endpoint_url must be an http:// or https:// URL",
               {{"endpoint_url", "not http(s)", r.endpoint_url().substr(0, 64)}});
  if (!bad && r.secret().size() < min_secret_length)
    bad = fail(errc::invalid_argument,
               "secret must be at least " + std::to_string(min_secret_length) + " characters",
               {{"secret", "too short", ""}});
  if (!bad && (r.event_types_size() == 0 || r.event_types_size() > 5))
    bad = fail(errc::invalid_argument, "event_types must list 1..5 event types",
               {{"event_types", "1..5 entries", std::to_string(r.event_types_size())}});
  webhooks::registration reg{random_id(),
                             r.service_name(),
                             r.endpoint_url(),
                             {},
                             r.secret(),
                             r.config().retry_count() == 0 ? 5 : r.config().retry_count(),
                             r.config().timeout_seconds() == 0 ? 10 : r.config().timeout_seconds(),
                             system_clock_source{}.now()};
  for (int i = 0; !bad && i < r.event_types_size(); ++i) {
    auto t = r.event_types(i);
    if (t < v1::WEBHOOK_EVENT_TYPE_PAYMENT_APPROVED ||
        t > v1::WEBHOOK_EVENT_TYPE_SYSTEM_MAINTENANCE)
      bad = fail(errc::invalid_argument, "event_types has an unknown type",
                 {{"event_types", "unknown", std::to_string(t)}});
    else
      reg.events.push_back(static_cast<webhooks::webhook_event>(t));
  }
  if (bad) {
    call->fail(*bad);
    return;
  }
  registry_.add(std::move(reg), [call](result<webhooks::registration> stored) {
    if (!stored) {
      call->fail(stored.error());
      return;
    }
    auto& resp = call->response();
    resp.set_webhook_id(stored->id);
    resp.set_registered(true);
    set_timestamp(resp.mutable_registered_at(), stored->registered_at);
    call->reply();
  });
}

void webhook_service_adapter::validate(std::shared_ptr<validate_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("webhook_id", r.webhook_id(), max_key_length)
                     .optional("payload", r.payload(), max_payload_length)
                     .required("signature", r.signature(), max_signature_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  auto reg = registry_.find(r.webhook_id());
  if (!reg) {
    call->fail(fail(errc::not_found, "no webhook registered under this id",
                    {{"webhook_id", "not found", r.webhook_id().substr(0, 128)}}));
    return;
  }
  // An invalid signature is this RPC's answer, not its failure.
  auto& resp = call->response();
  auto parsed = webhooks::parse_signature_header(r.signature());
  result<void> ok =
      parsed ? webhooks::verify(reg->secret, parsed->unix_seconds, r.payload(), parsed->v1,
                                to_epoch_ms(system_clock_source{}.now()) / 1000)
             : result<void>{parsed.error()};
  resp.set_valid(static_cast<bool>(ok));
  resp.set_reason(ok ? "the signature matches and is fresh" : ok.error().message);
  set_timestamp(resp.mutable_validated_at(), system_clock_source{}.now());
  call->reply();
}

} // namespace tt::adapters::rpc
