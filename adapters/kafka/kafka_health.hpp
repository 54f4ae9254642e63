#pragma once
/// The node's Kafka as one health component (common.v1.AdminService/GetSystemHealth): the
/// brokers answer a metadata request, the publisher's delivery counters and backlog, and the
/// worker consumer's assignment and lag. Unhealthy when the brokers do not answer; degraded when
/// they do but the worker owns no partition (expiries then wait for the holds' backstop timers)
/// or events pile up unsent.

#include <chrono>
#include <string>

#include "actors/runtime/health_report.hpp"
#include "adapters/kafka/kafka_publisher.hpp"
#include "adapters/kafka/worker_consumer.hpp"

namespace tt::adapters::kafka {

/// Events waiting for room in the producer beyond this make the component degraded.
constexpr uint64_t degraded_backlog = 10'000;

/// Blocks up to `timeout` (the metadata request): call it from the detached health actor only.
/// `consumer` may be null (not started, or stopping).
actors::component_health check_kafka(const std::string& endpoint, const kafka_publisher& publisher,
                                     const worker_consumer* consumer,
                                     std::chrono::milliseconds timeout);

} // namespace tt::adapters::kafka
