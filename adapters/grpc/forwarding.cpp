#include "adapters/grpc/forwarding.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include "actors/common/ids.hpp"
#include "adapters/catalog/catalog_format.hpp"
#include "adapters/grpc/config_keys.hpp"
#include "adapters/grpc/stream_relay.hpp"
#include "proto/common/v1/admin.pb.h"
#include "proto/tt/internal/v1/users.pb.h"

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
/// How often open streams are checked against their shard's placement: a moved shard's
/// streams end within about this much after the node learns of the move.
constexpr auto stream_check_interval = 100ms;

failure moving(uint32_t shard, std::chrono::milliseconds waited) {
  return fail(errc::unavailable,
              "shard " + std::to_string(shard) +
                  " is moving between nodes and has no owner serving it yet; retry shortly",
              {{"retry_after_ms", "retry after this many milliseconds", "500"},
               {"waited_ms", "how long the call waited", std::to_string(waited.count())}});
}

failure owner_lost(uint32_t shard) {
  return fail(errc::unavailable,
              "the node serving shard " + std::to_string(shard) +
                  " went away during this stream; reconnect to follow the shard's new owner",
              {{"retry_after_ms", "retry after this many milliseconds", "500"}});
}

/// Metadata a forwarded call carries from its caller: the application's headers, not the
/// transport's (gRPC sets those itself for the new call).
bool carried(std::string_view key) {
  return !(key.empty() || key[0] == ':' || key.substr(0, 5) == "grpc-" || key == "user-agent" ||
           key == "te" || key == "content-type" || key == "x-trace-id" || key == forwarded_header);
}

/// What a forwarded call or relayed stream sends with it: the caller's headers, its trace id
/// and the mark that it was forwarded by `node_id`.
std::vector<std::pair<std::string, std::string>> carried_metadata(grpc::CallbackServerContext* ctx,
                                                                  const std::string& trace_id,
                                                                  const std::string& node_id) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : ctx->client_metadata()) {
    std::string_view k{key.data(), key.size()};
    if (carried(k))
      out.emplace_back(std::string{k}, std::string{value.data(), value.size()});
  }
  out.emplace_back("x-trace-id", trace_id);
  out.emplace_back(forwarded_header, node_id);
  return out;
}

} // namespace

forwarding::forwarding(const shard_directory& directory, forwarding_settings settings)
    : directory_(directory), settings_(std::move(settings)), peers_(settings_.tls),
      streams_(directory) {
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
    if (auto setting = parse_event_setting(update->config_key())) // an event's own setting
      return shard_of(setting->event, directory_.shard_count());
    if (update->config_key() != "catalog.event")
      return std::nullopt;
    auto definition = catalog::parse_event_json(update->config_value());
    if (!definition) // malformed: any node rejects it the same way
      return std::nullopt;
    return shard_of(definition->id, directory_.shard_count());
  }
  // A gateway user lives on the shard of their name (sign-up and sign-in hash on its owner).
  if (const auto* u = dynamic_cast<const tt::internal::v1::RegisterUserRequest*>(&request))
    return shard_of_user(u->username(), directory_.shard_count());
  if (const auto* u = dynamic_cast<const tt::internal::v1::AuthenticateUserRequest*>(&request))
    return shard_of_user(u->username(), directory_.shard_count());
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
  // Most calls reach their owner: served without building a waiting entry.
  if (!shard || directory_.place(*shard).at == shard_directory::placement::where::here) {
    call.serve_here();
    return;
  }
  auto budget = call.budget;
  auto shared = std::make_shared<routed_call>(std::move(call));
  waiting w;
  w.shard = *shard;
  w.was_forwarded = ctx->client_metadata().count(forwarded_header) != 0;
  w.serve_here = [shared] {
    shared->serve_here();
  };
  // The call stays open until relayed or rejected, so `ctx` is still valid when it is sent.
  w.send_to = [this, shared, path = method_path, ctx, raw](const std::string& address) {
    forward(address, path, ctx, raw, *shared); // `raw` shares the bytes
  };
  w.reject = [shared](const failure& f) {
    shared->reject(f);
  };
  w.abandoned = [] {
    return false;
  };
  place(std::move(w), budget);
}

void forwarding::route_stream(const std::string& method_path,
                              const google::protobuf::Message& request,
                              grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                              routed_stream stream) {
  auto shard = shard_of_request(request);
  if (!shard) {
    stream.serve_here();
    return;
  }
  // Everything the relay needs is copied now: a stream the client cancels while it waits is
  // finished at once, and its context goes with it.
  relay_request r{method_path, raw,
                  carried_metadata(ctx, stream.stream->trace_id(), settings_.node_id),
                  ctx->deadline()};
  auto budget = settings_.move_wait; // no deadline: the move wait alone bounds the wait
  if (r.deadline != std::chrono::system_clock::time_point::max())
    budget = std::chrono::duration_cast<std::chrono::milliseconds>(
        r.deadline - std::chrono::system_clock::now());
  auto client = stream.stream;
  waiting w;
  w.shard = *shard;
  w.was_forwarded = ctx->client_metadata().count(forwarded_header) != 0;
  // Watched before it is served or relayed, so that a move in between is not missed.
  w.serve_here = [this, shard = *shard, client, serve = std::move(stream.serve_here)] {
    streams_.watch(shard, {shard_directory::placement::where::here, {}}, client);
    serve();
  };
  w.send_to = [this, shard = *shard, client, r = std::move(r)](const std::string& address) {
    streams_.watch(shard, {shard_directory::placement::where::there, address}, client);
    relay_stream(*peers_.stub(address), r, client, owner_lost(shard));
  };
  w.reject = [client](const failure& f) {
    client->fail(f);
  };
  w.abandoned = [client] {
    return client->over();
  };
  place(std::move(w), budget);
}

void forwarding::place(waiting w, std::chrono::milliseconds budget) {
  w.give_up_at = std::chrono::steady_clock::now() + std::min(settings_.move_wait, budget);
  if (try_place(w))
    return;
  std::unique_lock lock{waiting_mutex_};
  if (waiting_.size() >= settings_.max_waiting || stopping_) {
    lock.unlock();
    w.reject(moving(w.shard, 0ms));
    return;
  }
  waiting_.push_back(std::move(w));
}

bool forwarding::try_place(waiting& w) {
  auto placed = directory_.place(w.shard);
  using where = shard_directory::placement::where;
  if (placed.at == where::here) {
    w.serve_here();
    return true;
  }
  // A forwarded call is never forwarded again: it waits for this node to serve the shard.
  if (placed.at == where::there && !w.was_forwarded) {
    w.send_to(placed.address);
    return true;
  }
  return false;
}

void forwarding::forward(const std::string& address, const std::string& path,
                         grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                         const routed_call& call) {
  struct outgoing {
    grpc::ClientContext ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto out = std::make_shared<outgoing>();
  out->request = raw;
  // The caller's remaining budget, not the move wait: the owner may take its time to answer.
  out->ctx.set_deadline(std::chrono::system_clock::now() + call.budget);
  for (auto& [key, value] : carried_metadata(ctx, call.trace_id, settings_.node_id))
    out->ctx.AddMetadata(key, value);
  peers_.stub(address)->UnaryCall(
      &out->ctx, path, {}, &out->request, &out->response,
      [out, relay = call.relay](grpc::Status status) { relay(status, out->response); });
}

void forwarding::to_every_peer(const std::string& method_path, const grpc::ByteBuffer& request,
                               std::vector<std::pair<std::string, std::string>> headers,
                               std::chrono::milliseconds budget,
                               std::function<void(std::vector<peer_answer>)> done) {
  auto addresses = directory_.peer_addresses();
  if (addresses.empty()) {
    done({});
    return;
  }
  struct gathering {
    std::vector<peer_answer> answers;
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<grpc::ByteBuffer> requests;
    std::atomic<size_t> left{0};
    std::function<void(std::vector<peer_answer>)> done;
  };
  auto g = std::make_shared<gathering>();
  auto n = addresses.size();
  g->answers.resize(n);
  g->requests.assign(n, request); // each call its own buffer, sharing the bytes
  g->left = n;
  g->done = std::move(done);
  headers.emplace_back(forwarded_header, settings_.node_id);
  auto deadline = std::chrono::system_clock::now() + budget;
  for (size_t i = 0; i < n; ++i) {
    auto& ctx = g->contexts.emplace_back(std::make_unique<grpc::ClientContext>());
    ctx->set_deadline(deadline);
    for (const auto& [key, value] : headers)
      ctx->AddMetadata(key, value);
    g->answers[i].address = addresses[i];
  }
  // Started only once every context is built: the first answer may come before the loop ends.
  for (size_t i = 0; i < n; ++i)
    peers_.stub(addresses[i])
        ->UnaryCall(g->contexts[i].get(), method_path, {}, &g->requests[i], &g->answers[i].response,
                    [g, i](grpc::Status status) {
                      for (const auto& [key, value] : g->contexts[i]->GetServerTrailingMetadata())
                        g->answers[i].trailers.emplace(std::string{key.data(), key.size()},
                                                       std::string{value.data(), value.size()});
                      g->answers[i].status = std::move(status);
                      if (--g->left == 0)
                        g->done(std::move(g->answers));
                    });
}

void forwarding::run_waiting() {
  std::unique_lock lock{waiting_mutex_};
  auto next_stream_check = std::chrono::steady_clock::now() + stream_check_interval;
  for (;;) {
    wake_.wait_for(lock, recheck_interval);
    if (stopping_) {
      for (auto& w : waiting_)
        w.reject(moving(w.shard, settings_.move_wait));
      waiting_.clear();
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_stream_check) {
      lock.unlock();
      streams_.check();
      lock.lock();
      next_stream_check = now + stream_check_interval;
    }
    std::deque<waiting> still;
    while (!waiting_.empty()) {
      auto w = std::move(waiting_.front());
      waiting_.pop_front();
      lock.unlock();
      bool ended = w.abandoned() || try_place(w);
      if (!ended && now >= w.give_up_at) {
        w.reject(moving(w.shard, settings_.move_wait));
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
