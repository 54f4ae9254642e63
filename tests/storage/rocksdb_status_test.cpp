#include <doctest/doctest.h>

#include "storage/rocksdb_status.hpp"

using tt::storage::errc;
using tt::storage::from_status;

TEST_CASE("RocksDB statuses map to storage codes with the operation in the message") {
  CHECK(from_status(rocksdb::Status::Corruption("bad block"), "get").code == errc::corruption);
  CHECK(from_status(rocksdb::Status::NoSpace("disk full"), "write").code == errc::no_space);
  CHECK(from_status(rocksdb::Status::IOError("EIO"), "write").code == errc::io_error);
  CHECK(from_status(rocksdb::Status::NotFound(), "get").code == errc::not_found);
  CHECK(from_status(rocksdb::Status::InvalidArgument("x"), "open").code == errc::invalid_argument);
  CHECK(from_status(rocksdb::Status::ShutdownInProgress(), "write").code == errc::shutting_down);
  CHECK(from_status(rocksdb::Status::NotSupported("x"), "open").code == errc::internal);
  auto error = from_status(rocksdb::Status::IOError("EIO"), "write a group of 2 commits");
  CHECK(error.message.find("write a group of 2 commits: IO error: EIO") == 0);
}
