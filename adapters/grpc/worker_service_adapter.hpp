#pragma once
/// reservation.v1.WorkerService: the operators' manual path into the worker. Process* calls run
/// the same effects the worker runs from Kafka (through the worker actor, never de-duplicated:
/// an operator asking twice gets "skipped" the second time because the state moved on). The
/// request's claims (a result type, an expiry time) are not trusted: every effect reads the
/// reservation's and the intent's own state. HealthCheck and GetJobStatus report the worker's
/// counters and its Kafka consumer's lag.

#include "actors/runtime/worker_actor.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/reservation/v1/worker.pb.h"

namespace tt::adapters::rpc {

class worker_service_adapter {
 public:
  worker_service_adapter(rpc_service& service, call_bridge bridge, actors::worker_actor worker,
                         std::string node_id);

 private:
  using expiry_call = unary_call<reservation::v1::ProcessReservationExpiryRequest,
                                 reservation::v1::ProcessReservationExpiryResponse>;
  using payment_call = unary_call<reservation::v1::ProcessPaymentResultRequest,
                                  reservation::v1::ProcessPaymentResultResponse>;
  using compensation_call = unary_call<reservation::v1::ProcessCompensationRequest,
                                       reservation::v1::ProcessCompensationResponse>;
  using health_call =
      unary_call<reservation::v1::HealthCheckRequest, reservation::v1::HealthCheckResponse>;
  using jobs_call =
      unary_call<reservation::v1::GetJobStatusRequest, reservation::v1::GetJobStatusResponse>;

  void expiry(std::shared_ptr<expiry_call> call);
  void payment(std::shared_ptr<payment_call> call);
  void compensation(std::shared_ptr<compensation_call> call);
  void health(std::shared_ptr<health_call> call);
  void jobs(std::shared_ptr<jobs_call> call);

  call_bridge bridge_;
  actors::worker_actor worker_;
  std::string node_id_;
};

} // namespace tt::adapters::rpc
