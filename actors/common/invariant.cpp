#include "actors/common/invariant.hpp"

#include <cstdio>
#include <cstdlib>

namespace tt {

void invariant_breach(std::string_view what) noexcept {
  std::fprintf(stderr, "invariant breach: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

} // namespace tt
