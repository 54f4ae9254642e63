// A full disk under a real store (issue #31): a small tmpfs is mounted over a temp directory,
// filled until RocksDB's writes fail, then emptied. Writes are refused while it is full (the
// store is degraded), reads go on, nothing acknowledged is lost, and once space is back the store
// resumes by itself, with no restart and no write asking for it. Mounting needs CAP_SYS_ADMIN
// (root, as in CI's container); without it the test says so and checks nothing.
#include <doctest/doctest.h>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tests/storage/store_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/temp_dir.hpp"

namespace tt::tests {
namespace {

using storage::entity_kind;

/// A tmpfs of `size` mounted on a fresh directory for the test's lifetime.
class small_tmpfs {
 public:
  explicit small_tmpfs(const std::string& size) {
    auto options = "size=" + size;
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  small_tmpfs(const small_tmpfs&) = delete;
  small_tmpfs& operator=(const small_tmpfs&) = delete;
  ~small_tmpfs() {
    if (mounted_)
      ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const noexcept { return mounted_; }
  const std::string& error() const noexcept { return error_; }
  const std::filesystem::path& path() const noexcept { return dir_.path(); }

 private:
  temp_dir dir_;
  bool mounted_ = false;
  std::string error_;
};

/// Writes a file of zeros until the filesystem refuses more.
void fill(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  std::string block(1 << 16, '\0');
  while (out.write(block.data(), static_cast<std::streamsize>(block.size())))
    out.flush();
}

} // namespace

TEST_CASE("a full disk refuses writes and keeps reads, freed space lets writes resume") {
  small_tmpfs disk{"160m"};
  if (!disk.mounted()) {
    MESSAGE("cannot mount a tmpfs here (" << disk.error() << "): the full-disk test did not run");
    return;
  }
  storage::store_options options;
  options.resume_free_bytes = uint64_t{8} << 20;
  options.resume_check_interval = std::chrono::milliseconds{20};
  auto store = open_store(disk.path() / "db", options);
  std::vector<std::string> acknowledged;
  auto value = std::string(4000, 'v');
  auto write = [&](const std::string& key) {
    auto error = commit_and_wait(*store, {put(entity_kind::reservation, key, value)});
    if (!error)
      acknowledged.push_back(key);
    return error;
  };
  for (int i = 0; i < 10; ++i)
    REQUIRE_FALSE(write("E1/before-" + std::to_string(i)));

  fill(disk.path() / "filler");
  std::optional<storage::storage_error> refused;
  for (int i = 0; i < 100'000 && !refused; ++i)
    refused = write("E1/filling-" + std::to_string(i));
  REQUIRE(refused);
  CHECK(refused->code == storage::errc::no_space);
  CHECK(store->health()); // the degraded state shows while it lasts
  CHECK(store->degraded());
  auto again = write("E1/while-full");
  REQUIRE(again);
  CHECK(again->code == storage::errc::no_space);
  CHECK(again->message.find("resume by themselves") != std::string::npos);
  CHECK(read(*store, entity_kind::reservation, acknowledged.front()) == value); // reads go on

  CHECK(store->degraded()); // still: a refused write does not end it

  std::filesystem::remove(disk.path() / "filler");
  // No write asks for it: the store's own watch finds the space and reopens the database.
  CHECK(eventually([&] { return !store->degraded() && !store->health(); }));
  auto resumed = write("E1/after");
  CHECK_MESSAGE(!resumed, (resumed ? storage::to_string(*resumed) : ""));
  CHECK_FALSE(store->health());
  for (const auto& key : acknowledged)
    REQUIRE(read(*store, entity_kind::reservation, key) == value);

  REQUIRE_FALSE(store->close());
  store = open_store(disk.path() / "db", options);
  for (const auto& key : acknowledged)
    REQUIRE(read(*store, entity_kind::reservation, key) == value);
}

} // namespace tt::tests
