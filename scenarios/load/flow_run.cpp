#include "scenarios/load/flow_run.hpp"

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "scenarios/load/channels.hpp"
#include "scenarios/load/flow_user.hpp"

namespace tt::load {

namespace {

/// One polling thread with its own completion queue, users and result: nothing is shared
/// between threads while they run.
class flow_worker {
 public:
  void add_user(const flow_plan& plan, grpc::GenericStub& stub, std::string name) {
    users_.push_back(std::make_unique<flow_user>(plan, stub, cq_, result_, std::move(name)));
  }

  void run() {
    size_t active = users_.size();
    for (auto& u : users_)
      u->start();
    void* tag = nullptr;
    bool ok = false;
    while (active > 0 && cq_.Next(&tag, &ok))
      if (!static_cast<flow_user*>(tag)->on_completion())
        --active;
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

  const flow_result& result() const { return result_; }

 private:
  grpc::CompletionQueue cq_;
  flow_result result_;
  std::vector<std::unique_ptr<flow_user>> users_;
};

} // namespace

std::variant<flow_result, std::string> run_flows(const flow_options& options) {
  auto connected = connect_stubs(options.target, options.connections, options.connect_timeout_s);
  if (auto* err = std::get_if<std::string>(&connected))
    return *err;
  const auto& stubs = std::get<0>(connected);

  auto start = std::chrono::steady_clock::now();
  auto seconds = [](double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
  };
  flow_plan plan{options, start + seconds(options.warmup_s),
                 start + seconds(options.warmup_s + options.duration_s)};
  size_t n_workers = static_cast<size_t>(std::min(options.threads, options.users));
  std::vector<flow_worker> workers(n_workers);
  for (int u = 0; u < options.users; ++u) {
    auto i = static_cast<size_t>(u);
    workers[i % n_workers].add_user(plan, *stubs[i % stubs.size()],
                                    std::to_string(i % n_workers) + "-" + std::to_string(u));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers)
    threads.emplace_back([&w] { w.run(); });
  for (auto& t : threads)
    t.join();

  flow_result total;
  for (const auto& w : workers) {
    total.merge(w.result());
    total.duration_s = std::max(total.duration_s, w.result().duration_s);
  }
  return total;
}

} // namespace tt::load
