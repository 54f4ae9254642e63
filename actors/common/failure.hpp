#pragma once
/// A rejection as a value: the domain code, a human-readable message, and the offending fields.
/// Domain functions return it instead of throwing; adapters turn it into common.v1.Error.

#include <string>
#include <utility>
#include <vector>

#include "actors/common/errc.hpp"

namespace tt {

/// One offending input, mirroring common.v1.ErrorDetail (field, reason, value).
struct error_detail {
  std::string field;
  std::string reason;
  std::string value;
};

struct failure {
  errc code = errc::internal;
  std::string message;
  std::vector<error_detail> details;
};

inline failure fail(errc code, std::string message, std::vector<error_detail> details = {}) {
  return failure{code, std::move(message), std::move(details)};
}

} // namespace tt
