#include "scenarios/load/load_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include <grpcpp/alarm.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>

#include "scenarios/load/channels.hpp"

namespace tt::load {

namespace {

using steady = std::chrono::steady_clock;

/// Shared, read-only while the workers run.
struct run_plan {
  const load_options& options;
  const request_pool& pool;
  steady::time_point start;
  steady::time_point warm_end;
  steady::time_point end;      // time_point::max() when a request count ends the run
  steady::duration interval{}; // per worker in open loop; zero in closed loop
  std::chrono::system_clock::duration timeout{}; // deadline of each call, from its start
};

/// One call in flight, reused for the next call. Its address is the completion-queue tag.
struct call_slot {
  enum class phase { idle, scheduled, in_call };
  grpc::GenericStub* stub = nullptr;
  std::optional<grpc::ClientContext> context; // single-use: re-created in place per call
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  std::optional<grpc::ByteBuffer> request;
  grpc::ByteBuffer response;
  grpc::Status status;
  grpc::Alarm alarm; // open loop: wakes the slot at its scheduled start
  steady::time_point start;
  size_t request_bytes = 0;
  bool measured = false;
  phase state = phase::idle;
};

/// One polling thread with its own completion queue, slots and statistics: nothing is shared
/// between workers while they run, so the hot path takes no lock.
class worker {
 public:
  worker(const run_plan& plan, uint64_t index, uint64_t stride, uint64_t budget)
      : plan_(plan), index_(index), stride_(stride), budget_(budget) {}

  void add_slot(grpc::GenericStub* stub) {
    slots_.push_back(std::make_unique<call_slot>());
    slots_.back()->stub = stub;
  }

  void run() {
    next_tick_ = plan_.start;
    active_ = slots_.size();
    auto now = steady::now();
    for (auto& s : slots_)
      next(*s, now);
    void* tag = nullptr;
    bool ok = false;
    while (active_ > 0 && cq_.Next(&tag, &ok)) {
      auto& s = *static_cast<call_slot*>(tag);
      now = steady::now();
      if (s.state == call_slot::phase::scheduled) {
        // The alarm fires up to a millisecond late: that delay is the generator's, not the
        // server's, so latency counts from now. A start that was already due when the slot
        // claimed it (all slots were busy) keeps its scheduled time, so queueing is measured.
        s.start = now;
        issue(s);
        continue;
      }
      complete(s, now);
      next(s, now);
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
    for (auto& s : slots_)
      s->reader.reset(); // before the contexts whose call arenas hold them
  }

  const load_result& result() const { return result_; }
  steady::time_point last_done() const { return last_done_; }

 private:
  /// Picks the slot's next start (now, or the next open-loop tick), or retires the slot.
  void next(call_slot& s, steady::time_point now) {
    auto scheduled = now;
    if (plan_.interval.count() > 0) {
      scheduled = next_tick_;
      next_tick_ += plan_.interval;
    }
    bool measured = scheduled >= plan_.warm_end;
    // Past the end by the clock, too: an overloaded open loop drops its backlog of due starts,
    // so the run stays bounded by its duration.
    if (std::max(scheduled, now) >= plan_.end || (measured && budget_ == 0)) {
      s.state = call_slot::phase::idle;
      --active_;
      return;
    }
    if (measured)
      --budget_;
    s.start = scheduled;
    s.measured = measured;
    if (scheduled > now) {
      s.state = call_slot::phase::scheduled;
      s.alarm.Set(&cq_, std::chrono::system_clock::now() + (scheduled - now), &s);
      return;
    }
    issue(s);
  }

  void issue(call_slot& s) {
    s.reader.reset(); // allocated in the previous call's arena, which its context owns
    s.context.emplace();
    s.context->set_deadline(std::chrono::system_clock::now() + plan_.timeout);
    for (const auto& [key, value] : plan_.options.headers)
      s.context->AddMetadata(key, value);
    const auto& slice = plan_.pool.at(sent_++ * stride_ + index_);
    s.request.emplace(&slice, 1);
    s.request_bytes = slice.size();
    s.response.Clear();
    s.state = call_slot::phase::in_call;
    s.reader = s.stub->PrepareUnaryCall(&*s.context, plan_.options.method, *s.request, &cq_);
    s.reader->StartCall();
    s.reader->Finish(&s.response, &s.status, &s);
  }

  void complete(const call_slot& s, steady::time_point now) {
    if (!s.measured)
      return;
    auto code = static_cast<size_t>(s.status.error_code());
    ++result_.by_code[code < status_code_count ? code : size_t{grpc::StatusCode::UNKNOWN}];
    ++result_.requests;
    result_.latency.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.start).count()));
    if (plan_.options.echo && s.status.ok() && s.response.Length() != s.request_bytes)
      ++result_.echo_mismatches;
    last_done_ = std::max(last_done_, now);
  }

  const run_plan& plan_;
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<call_slot>> slots_;
  uint64_t index_; // this worker's requests are numbered index_, index_ + stride_, ...
  uint64_t stride_;
  uint64_t sent_ = 0;
  uint64_t budget_; // measured calls this worker may still start
  steady::time_point next_tick_;
  size_t active_ = 0; // slots not retired; the worker stops when none is left
  load_result result_;
  steady::time_point last_done_;
};

} // namespace

std::variant<load_result, std::string> run_load(const load_options& options,
                                                const request_pool& pool) {
  auto connected = connect_stubs(options.target, options.connections, options.connect_timeout_s);
  if (auto* err = std::get_if<std::string>(&connected))
    return *err;
  const auto& stubs = std::get<0>(connected);

  auto n_workers = static_cast<uint64_t>(std::min(options.threads, options.concurrency));
  auto start = steady::now();
  auto warm_end = start + std::chrono::duration_cast<steady::duration>(
                              std::chrono::duration<double>(options.warmup_s));
  run_plan plan{options, pool, start, warm_end, steady::time_point::max(), {}, {}};
  plan.timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(options.timeout_s));
  if (options.requests == 0)
    plan.end = warm_end + std::chrono::duration_cast<steady::duration>(
                              std::chrono::duration<double>(options.duration_s));
  if (options.rate > 0)
    plan.interval = std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(static_cast<double>(n_workers) / options.rate));

  std::vector<std::unique_ptr<worker>> workers;
  for (uint64_t w = 0; w < n_workers; ++w) {
    uint64_t budget = std::numeric_limits<uint64_t>::max();
    if (options.requests > 0)
      budget = options.requests / n_workers + (w < options.requests % n_workers ? 1 : 0);
    workers.push_back(std::make_unique<worker>(plan, w, n_workers, budget));
  }
  for (int j = 0; j < options.concurrency; ++j)
    workers[static_cast<size_t>(j) % n_workers]->add_slot(
        stubs[static_cast<size_t>(j) % stubs.size()].get());

  std::vector<std::thread> threads;
  for (auto& w : workers)
    threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads)
    t.join();

  load_result total;
  steady::time_point last_done = warm_end;
  for (const auto& w : workers) {
    const auto& r = w->result();
    total.requests += r.requests;
    for (size_t c = 0; c < status_code_count; ++c)
      total.by_code[c] += r.by_code[c];
    total.echo_mismatches += r.echo_mismatches;
    total.latency.merge(r.latency);
    last_done = std::max(last_done, w->last_done());
  }
  total.duration_s = std::chrono::duration<double>(last_done - warm_end).count();
  return total;
}

} // namespace tt::load
