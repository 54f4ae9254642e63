#pragma once
/// Waits for something another thread does: polls `done` every 5 ms for up to 2 s. Generous on
/// purpose: the tests using it check what happens and in which order, never how fast.

#include <chrono>
#include <thread>

namespace tt::tests {

template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 400 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  return done();
}

} // namespace tt::tests
