#include "adapters/grpc/queue_service_adapter.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "adapters/grpc/call_router.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// Free-text LeaveQueue reasons.
constexpr size_t max_reason_length = 256;

v1::QueueStatus status_of(domain::entry_status s) {
  return s == domain::entry_status::waiting ? v1::QUEUE_STATUS_WAITING : v1::QUEUE_STATUS_READY;
}

/// Why a waiting entry's line does not move (sold out, paused) or that the node is in
/// maintenance: GetQueueStatus carries it in its `error` beside the place, which stays valid.
std::optional<failure> line_notice(const actors::entry_reply& e) {
  auto event = route_of(e.token);
  if (e.position.halt != domain::line_halt::moving && event)
    return domain::why_halted(event->event, e.position.halt);
  if (e.maintenance)
    return fail(errc::unavailable,
                "the service is in maintenance: no new joins, and your place in line is kept");
  return std::nullopt;
}

int32_t clamp32(uint64_t n) {
  return static_cast<int32_t>(std::min<uint64_t>(n, INT32_MAX));
}

int32_t seconds_of(std::chrono::milliseconds d) {
  return static_cast<int32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

void fill_event_stats(const actors::room_stats& r, timestamp as_of, v1::EventQueueStats* out) {
  out->set_event_id(r.event());
  out->set_total_waiting(clamp32(r.stats.waiting));
  out->set_total_admitted(clamp32(r.stats.total_admitted));
  out->set_admission_rate_per_minute(static_cast<int32_t>(r.stats.admission_rate * 60.0));
  out->set_average_wait_time_seconds(seconds_of(r.stats.average_wait));
  set_timestamp(out->mutable_last_updated(), as_of);
}

/// A node's totals over its rooms: active = ready or admitted and not finished, against the
/// rooms' caps. Summed over the nodes for the cluster's figures.
struct queue_totals {
  uint64_t rooms = 0, waiting = 0, admitted = 0, active = 0, capacity = 0;
  double rate = 0.0; // admissions per second, summed over the rooms

  queue_totals& operator+=(const queue_totals& o) {
    rooms += o.rooms;
    waiting += o.waiting;
    admitted += o.admitted;
    active += o.active;
    capacity += o.capacity;
    rate += o.rate;
    return *this;
  }
};

queue_totals totals_of(const actors::queue_stats_answer& a) {
  queue_totals t;
  t.rooms = a.rooms.size();
  for (const auto& r : a.rooms) {
    t.waiting += r.stats.waiting;
    t.admitted += r.stats.total_admitted;
    t.active += r.stats.ready + r.stats.admitted;
    t.capacity += r.max_active;
    t.rate += r.stats.admission_rate;
  }
  return t;
}

void fill_system_stats(const queue_totals& t, timestamp as_of, v1::SystemQueueStats* out) {
  out->set_total_active_queues(clamp32(t.rooms));
  out->set_total_waiting_users(clamp32(t.waiting));
  out->set_total_admitted_users(clamp32(t.admitted));
  out->set_system_capacity_percentage(t.capacity == 0 ? 0 : clamp32(100 * t.active / t.capacity));
  out->set_average_admission_rate(
      t.rooms == 0 ? 0.0f : static_cast<float>(t.rate / static_cast<double>(t.rooms)));
  set_timestamp(out->mutable_last_updated(), as_of);
}

/// A node asked by another for the cluster's figures sends its totals in this trailer (the
/// contract's system figures are ratios, which do not add up): rooms, waiting, admitted, active,
/// capacity, and the summed rate in thousandths.
constexpr const char* totals_trailer = "x-tt-queue-totals";

std::string encode_totals(const queue_totals& t) {
  return std::to_string(t.rooms) + "," + std::to_string(t.waiting) + "," +
         std::to_string(t.admitted) + "," + std::to_string(t.active) + "," +
         std::to_string(t.capacity) + "," + std::to_string(static_cast<uint64_t>(t.rate * 1000));
}

std::optional<queue_totals> decode_totals(std::string_view text) {
  uint64_t n[6] = {};
  for (size_t i = 0; i < 6; ++i) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n[i]);
    if (ec != std::errc{})
      return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (i < 5) {
      if (text.empty() || text.front() != ',')
        return std::nullopt;
      text.remove_prefix(1);
    }
  }
  if (!text.empty())
    return std::nullopt;
  return queue_totals{n[0], n[1], n[2], n[3], n[4], static_cast<double>(n[5]) / 1000.0};
}

constexpr const char* queue_stats_path = "/gateway.v1.QueueService/GetQueueStats";

using stats_call = unary_call<v1::GetQueueStatsRequest, v1::GetQueueStatsResponse>;

/// Adds every other node's rooms and totals to `call`'s answer (this node's: `mine`), then
/// replies; UNAVAILABLE when a node does not answer (part of the figures would be wrong).
void add_peers_stats(peer_fanout& peers, std::shared_ptr<stats_call> call, queue_totals mine,
                     timestamp as_of) {
  ask_every_peer(
      peers, queue_stats_path, call, [call, mine, as_of](std::vector<peer_answer> answers) {
        auto& resp = call->response();
        auto totals = mine;
        for (auto& a : answers) {
          v1::GetQueueStatsResponse theirs;
          auto trailer = a.trailers.find(totals_trailer);
          auto their_totals =
              trailer == a.trailers.end() ? std::nullopt : decode_totals(trailer->second);
          if (!a.status.ok() || !their_totals ||
              !grpc::SerializationTraits<v1::GetQueueStatsResponse>::Deserialize(&a.response,
                                                                                 &theirs)
                   .ok()) {
            call->fail(peer_missing(a.address, "the cluster's figures are not known"));
            return;
          }
          for (auto& e : *theirs.mutable_events())
            *resp.add_events() = std::move(e);
          totals += *their_totals;
        }
        fill_system_stats(totals, as_of, resp.mutable_system());
        call->reply();
      });
}

} // namespace

queue_service_adapter::queue_service_adapter(rpc_service& service, call_bridge bridge,
                                             actors::shard_region region, peer_fanout* peers)
    : bridge_(bridge), region_(std::move(region)), peers_(peers) {
  service.bind_unary<v1::JoinQueueRequest, v1::JoinQueueResponse>(
      "JoinQueue", [this](auto call) { join_queue(std::move(call)); });
  service.bind_unary<v1::GetQueueStatusRequest, v1::GetQueueStatusResponse>(
      "GetQueueStatus", [this](auto call) { get_queue_status(std::move(call)); });
  service.bind_unary<v1::RequestAdmissionRequest, v1::RequestAdmissionResponse>(
      "RequestAdmission", [this](auto call) { request_admission(std::move(call)); });
  service.bind_unary<v1::LeaveQueueRequest, v1::LeaveQueueResponse>(
      "LeaveQueue", [this](auto call) { leave_queue(std::move(call)); });
  service.bind_unary<v1::GetQueueStatsRequest, v1::GetQueueStatsResponse>(
      "GetQueueStats", [this](auto call) { get_queue_stats(std::move(call)); });
}

void queue_service_adapter::join_queue(std::shared_ptr<join_call> call) {
  const auto& r = call->request();
  // metadata (ip, user agent, headers) is informational: no rule reads it, so it is not limited
  // beyond grpc.max_message_bytes.
  if (auto bad = request_check{}
                     .required("event_id", r.event_id())
                     .required("user_id", r.user_id(), domain::max_admission_user_id_length)
                     .optional("session_id", r.session_id(), domain::max_session_id_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::join_request msg{event_id{r.event_id()}, user_id{r.user_id()},
                           session_id{r.session_id()}};
  bridge_.ask<actors::entry_reply>(
      std::move(call), region_,
      [](join_call& c, const actors::entry_reply& e) {
        auto& resp = c.response();
        resp.set_waiting_token(e.token());
        resp.set_position_hint(clamp32(e.position.position));
        resp.set_eta_seconds(e.position.eta_seconds);
        resp.set_status(status_of(e.position.status));
        set_timestamp(resp.mutable_expires_at(), e.position.expires_at);
        c.reply();
      },
      std::move(msg));
}

void queue_service_adapter::get_queue_status(std::shared_ptr<status_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("waiting_token", r.waiting_token(), domain::max_waiting_token_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::entry_request msg{waiting_token_id{r.waiting_token()}, actors::entry_action::status};
  bridge_.ask<actors::entry_reply>(
      std::move(call), region_,
      [](status_call& c, const actors::entry_reply& e) {
        auto& resp = c.response();
        resp.set_status(status_of(e.position.status));
        resp.set_position(clamp32(e.position.position));
        resp.set_eta_seconds(e.position.eta_seconds);
        resp.set_admission_ready(e.position.status != domain::entry_status::waiting);
        set_timestamp(resp.mutable_expires_at(), e.position.expires_at);
        if (auto notice = line_notice(e))
          *resp.mutable_error() = to_contract_error(*notice, c.trace_id());
        if (e.position.halt == domain::line_halt::sold_out)
          resp.set_status(v1::QUEUE_STATUS_ERROR); // waiting for nothing: nobody more gets in
        c.reply();
      },
      std::move(msg));
}

void queue_service_adapter::request_admission(std::shared_ptr<admission_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("waiting_token", r.waiting_token(), domain::max_waiting_token_length)
                     .optional("event_id", r.event_id())
                     .required("user_id", r.user_id(), domain::max_admission_user_id_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::admission_request msg{waiting_token_id{r.waiting_token()}, event_id{r.event_id()},
                                user_id{r.user_id()}};
  bridge_.ask<actors::admission_reply>(
      std::move(call), region_,
      [](admission_call& c, const actors::admission_reply& a) {
        auto& resp = c.response();
        resp.set_admission(v1::ADMISSION_STATUS_GRANTED);
        resp.set_reservation_token(a.reservation_token);
        resp.set_ttl_seconds(std::max(0, seconds_of(a.ttl)));
        set_timestamp(resp.mutable_valid_until(), a.valid_until);
        c.reply();
      },
      std::move(msg));
}

void queue_service_adapter::leave_queue(std::shared_ptr<leave_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("waiting_token", r.waiting_token(), domain::max_waiting_token_length)
                     .optional("reason", r.reason(), max_reason_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  actors::entry_request msg{waiting_token_id{r.waiting_token()}, actors::entry_action::leave};
  bridge_.ask<actors::entry_reply>(
      std::move(call), region_,
      [](leave_call& c, const actors::entry_reply& e) {
        c.response().set_success(true);
        set_timestamp(c.response().mutable_left_at(), e.at);
        c.reply();
      },
      std::move(msg));
}

void queue_service_adapter::get_queue_stats(std::shared_ptr<stats_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}.optional("event_id", r.event_id()).result()) {
    call->fail(*bad);
    return;
  }
  actors::queue_stats_query q{event_id{r.event_id()}};
  // Without an event, in a cluster: this node's rooms and every other node's (each asked once,
  // marked forwarded, answers with its own and its totals in a trailer).
  bool for_peer = r.event_id().empty() && !call->header(forwarded_header).empty();
  bool whole_cluster = r.event_id().empty() && answers_for_cluster(peers_, *call);
  auto keep = whole_cluster ? call : nullptr;
  bridge_.ask<actors::queue_stats_answer>(
      std::move(call), region_,
      [this, for_peer, keep](stats_call& c, const actors::queue_stats_answer& a) {
        auto& resp = c.response();
        for (const auto& room : a.rooms)
          fill_event_stats(room, a.as_of, resp.add_events());
        auto totals = totals_of(a);
        fill_system_stats(totals, a.as_of, resp.mutable_system());
        if (for_peer)
          c.trailer(totals_trailer, encode_totals(totals));
        if (!keep) {
          c.reply();
          return;
        }
        add_peers_stats(*peers_, keep, totals, a.as_of);
      },
      std::move(q));
}

} // namespace tt::adapters::rpc
