#include "scenarios/load/flag_parsing.hpp"

#include <cmath>
#include <stdexcept>

namespace tt::load {

double to_double(const std::string& flag, const std::string& v, double min) {
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !std::isfinite(d) || d < min)
    throw std::invalid_argument(flag + " needs a number >= " + std::to_string(min) + ", got '" + v +
                                "'");
  return d;
}

uint64_t to_count(const std::string& flag, const std::string& v, uint64_t min) {
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoull(v) < min)
    throw std::invalid_argument(flag + " needs a whole number >= " + std::to_string(min) +
                                ", got '" + v + "'");
  return std::stoull(v);
}

} // namespace tt::load
