#pragma once
/// gateway.v1.QueueService. Actor entry point: the shard region, which routes JoinQueue and
/// GetQueueStats by event id and the other RPCs by the event their waiting token carries, to the
/// event's admission actor (actors/runtime/admission_actor.hpp).

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/peer_fanout.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/gateway/v1/queue.pb.h"

namespace tt::adapters::rpc {

class queue_service_adapter {
 public:
  /// `peers` (null on a single node) make GetQueueStats without an event the whole cluster's.
  queue_service_adapter(rpc_service& service, call_bridge bridge, actors::shard_region region,
                        peer_fanout* peers = nullptr);

 private:
  using join_call = unary_call<gateway::v1::JoinQueueRequest, gateway::v1::JoinQueueResponse>;
  using status_call =
      unary_call<gateway::v1::GetQueueStatusRequest, gateway::v1::GetQueueStatusResponse>;
  using admission_call =
      unary_call<gateway::v1::RequestAdmissionRequest, gateway::v1::RequestAdmissionResponse>;
  using leave_call = unary_call<gateway::v1::LeaveQueueRequest, gateway::v1::LeaveQueueResponse>;
  using stats_call =
      unary_call<gateway::v1::GetQueueStatsRequest, gateway::v1::GetQueueStatsResponse>;
  void join_queue(std::shared_ptr<join_call> call);
  void get_queue_status(std::shared_ptr<status_call> call);
  void request_admission(std::shared_ptr<admission_call> call);
  void leave_queue(std::shared_ptr<leave_call> call);
  void get_queue_stats(std::shared_ptr<stats_call> call);

  call_bridge bridge_;
  actors::shard_region region_;
  peer_fanout* peers_;
};

} // namespace tt::adapters::rpc
