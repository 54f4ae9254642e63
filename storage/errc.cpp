#include "storage/errc.hpp"

namespace tt::storage {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::io_error:
      return "io_error";
    case errc::corruption:
      return "corruption";
    case errc::no_space:
      return "no_space";
    case errc::not_found:
      return "not_found";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::shutting_down:
      return "shutting_down";
    case errc::queue_full:
      return "queue_full";
    case errc::unsupported_version:
      return "unsupported_version";
    case errc::not_owner:
      return "not_owner";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

std::string to_string(const storage_error& error) {
  std::string out(to_string(error.code));
  out += ": ";
  out += error.message;
  return out;
}

} // namespace tt::storage
