#include "scenarios/load/process_setup.hpp"

#include <absl/synchronization/mutex.h>

namespace tt::load {

void quiet_abseil_mutexes() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

} // namespace tt::load
