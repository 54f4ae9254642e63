#include "storage/data_directory.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace tt::storage {

namespace {

std::string errno_text(const char* what, const std::filesystem::path& p) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

} // namespace

std::variant<std::unique_ptr<data_directory>, std::string>
data_directory::open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec)
    return "cannot create data directory " + path.string() + ": " + ec.message();
  if (!std::filesystem::is_directory(path, ec))
    return "data directory " + path.string() + " is not a directory";
  auto lock_path = path / "LOCK.node";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno_text("cannot open", lock_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    auto text = errno == EWOULDBLOCK
                    ? "data directory " + path.string() + " is in use by another node"
                    : errno_text("cannot lock", lock_path);
    ::close(fd);
    return text;
  }
  return std::unique_ptr<data_directory>(new data_directory(path, fd));
}

data_directory::data_directory(std::filesystem::path path, int lock_fd)
    : path_(std::move(path)), lock_fd_(lock_fd) {}

data_directory::~data_directory() {
  ::close(lock_fd_); // releases the flock
}

probe_result data_directory::probe() const {
  probe_result out;
  auto start = std::chrono::steady_clock::now();
  auto file = path_ / ".health-probe";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    out.error = errno_text("cannot create", file);
    return out;
  }
  static constexpr char payload[] = "probe";
  bool ok = ::write(fd, payload, sizeof payload) == static_cast<ssize_t>(sizeof payload);
  if (!ok)
    out.error = errno_text("cannot write", file);
  else if (::fsync(fd) != 0)
    out.error = errno_text("cannot fsync", file);
  ::close(fd);
  ::unlink(file.c_str());
  out.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  std::error_code ec;
  auto space = std::filesystem::space(path_, ec);
  if (!ec)
    out.free_bytes = space.available;
  out.writable = out.error.empty();
  return out;
}

} // namespace tt::storage
