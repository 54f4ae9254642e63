#pragma once
/// The last step of a graceful stop may hang: CAF 0.17.6's clock thread can deadlock when
/// thousands of actors stop at once (each stopping actor queues a cancellation into the clock's
/// 64-slot ring buffer; when the clock thread itself releases the last reference to an actor
/// while the buffer is full, it waits on its own buffer, and every worker waits on it). Seen at
/// the end of a benchmark run on a node with 16,000 reservations. By then gRPC has drained, the
/// worker has committed its offsets and every acknowledged write is durable (the store syncs
/// before it acknowledges; unpublished events stay in the outbox), so ending the process is as
/// safe as the kill -9 the crash tests prove harmless, and better than never ending.

#include <chrono>

namespace tt::node {

/// From now on the process ends with `status` (and a warning) if it is still running after
/// `limit`: the status of a clean stop after a signal, or the failure of a start cut short.
void end_process_after(std::chrono::milliseconds limit, int status);

} // namespace tt::node
