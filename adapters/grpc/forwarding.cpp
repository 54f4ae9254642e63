#include "adapters/grpc/forwarding.hpp"

#include <array>
#include <utility>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include "actors/common/ids.hpp"
#include "adapters/catalog/catalog_format.hpp"
#include "proto/common/v1/admin.pb.h"

namespace tt::adapters::rpc {

namespace {

using namespace std::chrono_literals;

/// The fields that name a shard, in the order they are looked at; a minted id names its kind.
struct routing_field {
  const char* name;
  std::optional<id_kind> minted; // nullopt: an event id
};
constexpr std::array<routing_field, 6> routing_fields{{
    {"event_id", std::nullopt},
    {"reservation_id", id_kind::reservation},
    {"payment_intent_id", id_kind::payment_intent},
    {"waiting_token", id_kind::waiting_token},
    {"hold_id", id_kind::hold},
    {"order_id", id_kind::order},
}};

/// How often waiting calls look for their shard's owner again.
constexpr auto recheck_interval = 10ms;

failure moving(uint32_t shard, std::chrono::milliseconds waited) {
  return fail(errc::unavailable,
              "shard " + std::to_string(shard) +
                  " is moving between nodes and has no owner serving it yet; retry shortly",
              {{"retry_after_ms", "retry after this many milliseconds", "500"},
               {"waited_ms", "how long the call waited", std::to_string(waited.count())}});
}

/// Metadata a forwarded call carries from its caller: the application's headers, not the
/// transport's (gRPC sets those itself for the new call).
bool carried(std::string_view key) {
  return !(key.empty() || key[0] == ':' || key.substr(0, 5) == "grpc-" || key == "user-agent" ||
           key == "te" || key == "content-type" || key == "x-trace-id" || key == forwarded_header);
}

} // namespace

forwarding::forwarding(const shard_directory& directory, forwarding_settings settings)
    : directory_(directory), settings_(std::move(settings)) {
  waiter_ = std::thread{[this] {
    run_waiting();
  }};
}

forwarding::~forwarding() {
  {
    std::lock_guard lock{waiting_mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  waiter_.join();
}

std::optional<uint32_t>
forwarding::shard_of_request(const google::protobuf::Message& request) const {
  // UpdateConfig "catalog.event" names its event inside the definition it carries: the event's
  // owner stores and serves the new definition.
  if (const auto* update = dynamic_cast<const common::v1::UpdateConfigRequest*>(&request)) {
    if (update->config_key() != "catalog.event")
      return std::nullopt;
    auto definition = catalog::parse_event_json(update->config_value());
    if (!definition) // malformed: any node rejects it the same way
      return std::nullopt;
    return shard_of(definition->id, directory_.shard_count());
  }
  // Operators' actions on one event (STOP_ADMISSIONS, and the operations that take an event)
  // name it among their parameters: the event's owner acts on it.
  const google::protobuf::Map<std::string, std::string>* parameters = nullptr;
  if (const auto* action = dynamic_cast<const common::v1::EmergencyActionRequest*>(&request))
    parameters = &action->parameters();
  else if (const auto* op = dynamic_cast<const common::v1::TriggerOperationRequest*>(&request))
    parameters = &op->parameters();
  if (parameters != nullptr) {
    auto event = parameters->find("event_id");
    if (event == parameters->end() || event->second.empty())
      return std::nullopt;
    return shard_of(event_id{event->second}, directory_.shard_count());
  }
  const auto* descriptor = request.GetDescriptor();
  const auto* reflection = request.GetReflection();
  for (const auto& f : routing_fields) {
    const auto* field = descriptor->FindFieldByName(f.name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING)
      continue;
    auto value = reflection->GetString(request, field);
    if (value.empty())
      continue;
    if (!f.minted)
      return shard_of(event_id{std::move(value)}, directory_.shard_count());
    auto route = parse_routable_id(*f.minted, value);
    // A malformed id is the owner's to reject, and any node rejects it the same way.
    if (!route || route->shard >= directory_.shard_count())
      return std::nullopt;
    return route->shard;
  }
  return std::nullopt;
}

void forwarding::route(const std::string& method_path, const google::protobuf::Message& request,
                       grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                       routed_call call) {
  auto shard = shard_of_request(request);
  if (!shard) {
    call.serve_here();
    return;
  }
  waiting w;
  w.shard = *shard;
  w.was_forwarded = ctx->client_metadata().count(forwarded_header) != 0;
  w.path = method_path;
  w.ctx = ctx;
  w.raw = raw; // shares the bytes
  w.give_up_at = std::chrono::steady_clock::now() + std::min(settings_.move_wait, call.budget);
  w.call = std::move(call);
  if (try_place(w))
    return;
  std::unique_lock lock{waiting_mutex_};
  if (waiting_.size() >= settings_.max_waiting || stopping_) {
    lock.unlock();
    w.call.reject(moving(w.shard, 0ms));
    return;
  }
  waiting_.push_back(std::move(w));
}

bool forwarding::try_place(waiting& w) {
  auto placed = directory_.place(w.shard);
  using where = shard_directory::placement::where;
  if (placed.at == where::here) {
    w.call.serve_here();
    return true;
  }
  // A forwarded call is never forwarded again: it waits for this node to serve the shard.
  if (placed.at == where::there && !w.was_forwarded) {
    forward(placed.address, w);
    return true;
  }
  return false;
}

std::shared_ptr<grpc::GenericStub> forwarding::stub_for(const std::string& address) {
  std::lock_guard lock{stubs_mutex_};
  auto& stub = stubs_[address];
  if (!stub)
    stub = std::make_shared<grpc::GenericStub>(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  return stub;
}

void forwarding::forward(const std::string& address, waiting& w) {
  struct outgoing {
    grpc::ClientContext ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto out = std::make_shared<outgoing>();
  out->request = w.raw;
  // The caller's remaining budget, not the move wait: the owner may take its time to answer.
  out->ctx.set_deadline(std::chrono::system_clock::now() + w.call.budget);
  for (const auto& [key, value] : w.ctx->client_metadata()) {
    std::string_view k{key.data(), key.size()};
    if (carried(k))
      out->ctx.AddMetadata(std::string{k}, std::string{value.data(), value.size()});
  }
  out->ctx.AddMetadata("x-trace-id", w.call.trace_id);
  out->ctx.AddMetadata(forwarded_header, settings_.node_id);
  auto relay = std::move(w.call.relay);
  stub_for(address)->UnaryCall(&out->ctx, w.path, {}, &out->request, &out->response,
                               [out, relay](grpc::Status status) { relay(status, out->response); });
}

void forwarding::run_waiting() {
  std::unique_lock lock{waiting_mutex_};
  for (;;) {
    wake_.wait_for(lock, recheck_interval);
    if (stopping_) {
      for (auto& w : waiting_)
        w.call.reject(moving(w.shard, settings_.move_wait));
      waiting_.clear();
      return;
    }
    auto now = std::chrono::steady_clock::now();
    std::deque<waiting> still;
    while (!waiting_.empty()) {
      auto w = std::move(waiting_.front());
      waiting_.pop_front();
      lock.unlock();
      bool ended = try_place(w);
      if (!ended && now >= w.give_up_at) {
        w.call.reject(moving(w.shard, settings_.move_wait));
        ended = true;
      }
      lock.lock();
      if (!ended)
        still.push_back(std::move(w));
    }
    waiting_ = std::move(still);
  }
}

} // namespace tt::adapters::rpc
