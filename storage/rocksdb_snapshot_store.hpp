#pragma once
/// snapshot_store on RocksDB: one column family per entity_kind, every value wrapped in the
/// snapshot_codec record format, durability through group_commit (one WriteBatch per group,
/// sync per policy), expiry of TTL'd kinds through ttl_compaction_filter.
///
/// A full disk (or another write error) refuses writes with the error while reads go on (the
/// store is `degraded`); the store then recovers by itself: a watch thread looks for the free
/// space every resume_check_interval and, once it is there, has the writer reopen the database
/// (its WAL replayed, nothing acknowledged lost), with no restart and no write needed. RocksDB's
/// own recovery is switched off: in the 7.8 build this node links it resumes writing into the WAL
/// that failed and aborts the process (docs/persistence.md, "A full disk").
///
/// Lifetime: open() returns a ready store; close() (or the destructor) drains and acknowledges
/// every accepted commit, then closes the database. After close, commit refuses with
/// shutting_down and get/scan return shutting_down. RocksDB holds an exclusive lock on the
/// directory while open.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "storage/group_commit.hpp"
#include "storage/snapshot_store.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
struct DBOptions;
} // namespace rocksdb

namespace tt::storage {

class ttl_compaction_filter;

struct store_options {
  group_commit_options group_commit;
  /// Clock for TTL decisions on read and in compaction; empty means the system clock.
  now_ms_fn now_ms;
  /// Where RocksDB's own warnings and errors go; empty means stderr. Never a file in the data
  /// directory: on a full disk RocksDB's log file is the first write to fail, and the next line
  /// written to it aborts the process (an assertion in the 7.8 build).
  std::function<void(std::string_view)> log;
  /// After a write error, the free bytes the data directory needs before the store reopens the
  /// database and writes again (RocksDB's own recovery asks for a write buffer, 64 MiB).
  uint64_t resume_free_bytes = uint64_t{64} << 20;
  /// While writes are refused after such an error, how often the store looks for that space; once
  /// it is there the store reopens the database by itself, no write needed.
  std::chrono::milliseconds resume_check_interval{1000};
};

class rocksdb_snapshot_store final : public snapshot_store {
 public:
  /// Opens (creating if missing) the database at `path` with every kind's column family. Errors:
  /// io_error (not a directory, permission, lock held by another process), corruption, ...
  static std::variant<std::unique_ptr<rocksdb_snapshot_store>, storage_error>
  open(const std::filesystem::path& path, store_options options);

  rocksdb_snapshot_store(const rocksdb_snapshot_store&) = delete;
  rocksdb_snapshot_store& operator=(const rocksdb_snapshot_store&) = delete;
  ~rocksdb_snapshot_store() override;

  void commit(std::vector<mutation> batch, durable_callback on_durable) override;
  std::variant<std::optional<std::string>, storage_error> get(entity_kind kind,
                                                              std::string_view key) const override;
  std::optional<storage_error>
  scan(entity_kind kind, std::string_view key_prefix,
       const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;
  store_stats stats() const override;
  std::optional<storage_error> health() const override;

  /// Compacts all of `kind`'s column family (running the TTL filter). Blocking, for maintenance
  /// and tests.
  std::optional<storage_error> compact(entity_kind kind);

  /// The groups' write times and sizes, and RocksDB's own WAL fsync timings. Any thread.
  write_figures figures() const;

  /// True while writes are refused after a write error (a full disk) and reads are served; it
  /// ends by itself once the data directory has resume_free_bytes free. Any thread.
  bool degraded() const;

  /// Drains pending commits, then closes the database. Idempotent; returns the close error if any.
  /// Never call it from an on_durable callback.
  std::optional<storage_error> close();

 private:
  rocksdb_snapshot_store(std::unique_ptr<rocksdb::DB> db,
                         std::vector<rocksdb::ColumnFamilyHandle*> handles,
                         std::unique_ptr<ttl_compaction_filter> filter, store_options options,
                         std::filesystem::path path,
                         std::unique_ptr<rocksdb::DBOptions> db_options);

  /// The group_commit sink: one WriteBatch for the whole group. Writer thread only.
  std::optional<storage_error> write(const std::vector<commit_request>& group, bool sync);
  /// After a failed write: closes and opens the database again once the directory has
  /// resume_free_bytes free, so writes go to a fresh WAL. Writer thread only.
  std::optional<storage_error> reopen();
  /// The resume watch's loop: while a reopen is due and the space is there, it queues an empty
  /// commit, whose group makes the writer reopen the database (write()).
  void watch_for_space(std::chrono::milliseconds interval);

  /// Guards db_ and handles_ against close(): readers share it, close takes it exclusively. The
  /// writer thread needs no lock: close() stops it before taking the lock.
  mutable std::shared_mutex db_mutex_;
  /// Destroyed after the database (declared before db_): RocksDB keeps a raw pointer to it.
  std::unique_ptr<ttl_compaction_filter> filter_;
  std::unique_ptr<rocksdb::DB> db_;
  /// Indexed by entity_kind; extra column families found on disk follow.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  now_ms_fn now_ms_;
  std::filesystem::path path_;
  /// What open() used, for reopen(): RocksDB's logger and listener included.
  std::unique_ptr<rocksdb::DBOptions> db_options_;
  uint64_t resume_free_bytes_ = 0;
  std::function<void(std::string_view)> log_;
  /// A write failed: the next group reopens the database first. Set and cleared by the writer
  /// thread, read by the resume watch and degraded().
  std::atomic<bool> needs_reopen_{false};
  std::optional<storage_error> close_error_;
  /// Commits refused by validation (group_commit counts its own refusals).
  std::atomic<uint64_t> invalid_commits_{0};
  group_commit group_commit_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool watch_stopping_ = false; // guarded by watch_mutex_
  /// The resume watch's empty commit is queued and not acknowledged yet.
  std::atomic<bool> probe_pending_{false};
  /// Declared last: starts after every member above; close() joins it before the writer stops.
  std::thread resume_watch_;
};

} // namespace tt::storage
