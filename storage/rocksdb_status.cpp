#include "storage/rocksdb_status.hpp"

namespace tt::storage {

namespace {

errc code_of(const rocksdb::Status& status) {
  if (status.IsCorruption())
    return errc::corruption;
  // NoSpace is an IOError subcode: test it first.
  if (status.IsNoSpace())
    return errc::no_space;
  if (status.IsIOError())
    return errc::io_error;
  if (status.IsNotFound())
    return errc::not_found;
  if (status.IsInvalidArgument())
    return errc::invalid_argument;
  if (status.IsShutdownInProgress())
    return errc::shutting_down;
  return errc::internal;
}

} // namespace

storage_error from_status(const rocksdb::Status& status, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += status.ToString();
  return storage_error{code_of(status), std::move(message)};
}

} // namespace tt::storage
