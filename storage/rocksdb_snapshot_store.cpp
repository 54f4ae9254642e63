#include "storage/rocksdb_snapshot_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>
#include <utility>

#include "storage/rocksdb_status.hpp"
#include "storage/snapshot_codec.hpp"
#include "storage/ttl_compaction_filter.hpp"

namespace tt::storage {

namespace {

std::size_t index_of(entity_kind kind) {
  return static_cast<std::size_t>(kind);
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

storage_error closed_error() {
  return storage_error{errc::shutting_down, "the snapshot store is closed"};
}

std::string describe(entity_kind kind, std::string_view key) {
  std::string out(to_string(kind));
  out += " '";
  out += key;
  out += "'";
  return out;
}

std::optional<storage_error> validate(const mutation& m) {
  if (!is_valid(m.kind))
    return storage_error{errc::invalid_argument,
                         "unknown entity kind " + std::to_string(static_cast<int>(m.kind))};
  if (m.key.empty())
    return storage_error{errc::invalid_argument, "empty key for " + std::string(to_string(m.kind))};
  if (m.expires_at_ms && !has_ttl(m.kind))
    return storage_error{errc::invalid_argument,
                         describe(m.kind, m.key) + ": this kind does not expire"};
  if (m.expires_at_ms && !m.value)
    return storage_error{errc::invalid_argument,
                         describe(m.kind, m.key) + ": a delete carries no expiry"};
  return std::nullopt;
}

/// The memtable's insert hint groups keys by what precedes their first '/': the actors key every
/// record by its event ("<event>/<id>"), and the ids an event mints (reservations, waiting tokens,
/// outbox events) grow with time, so an event's next insert lands right after its last one and
/// the skip list skips the search from the top (perf under CreateReservation load: memtable
/// inserts 4.6 % of the node's samples without the hint, 2.1 % with it). Only a speed-up: a key
/// without a '/' is inserted without a hint, and one whose ids do not grow costs a normal insert.
class event_scope_prefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "tt.event_scope_prefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), scope_length(key)};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return scope_length(key) != 0; }

 private:
  static size_t scope_length(const rocksdb::Slice& key) {
    const auto* slash = static_cast<const char*>(std::memchr(key.data(), '/', key.size()));
    return slash == nullptr ? 0 : static_cast<size_t>(slash - key.data()) + 1;
  }
};

/// RocksDB's warnings and errors, handed to store_options::log instead of a LOG file in the data
/// directory (see store_options::log).
class forwarding_logger : public rocksdb::Logger {
 public:
  explicit forwarding_logger(std::function<void(std::string_view)> sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list args) override {
    char line[1024];
    int n = std::vsnprintf(line, sizeof line, format, args);
    if (n < 0)
      return;
    sink_(std::string_view(line, std::min(static_cast<size_t>(n), sizeof line - 1)));
  }

 private:
  std::function<void(std::string_view)> sink_;
};

/// Declines RocksDB's automatic recovery from a background error: measured on a filled tmpfs,
/// RocksDB 7.8 resumed writing into the WAL whose append had failed, and its next write tripped an
/// assertion that aborted the process. The store reopens the database itself (reopen()).
class no_auto_recovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

void log_to_stderr(std::string_view line) {
  std::fprintf(stderr, "rocksdb: %.*s\n", static_cast<int>(line.size()), line.data());
}

/// Write errors after which the database is reopened: the disk is full or failed a write.
bool reopen_cures(errc code) {
  return code == errc::no_space || code == errc::io_error;
}

std::vector<rocksdb::ColumnFamilyDescriptor> descriptors_for(const std::filesystem::path& path,
                                                             const rocksdb::DBOptions& options,
                                                             const ttl_compaction_filter* filter) {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  auto insert_hint = std::make_shared<const event_scope_prefix>();
  for (auto kind : all_entity_kinds) {
    rocksdb::ColumnFamilyOptions family;
    family.memtable_insert_with_hint_prefix_extractor = insert_hint;
    if (has_ttl(kind))
      family.compaction_filter = filter;
    out.emplace_back(std::string(to_string(kind)), family);
  }
  out.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  // RocksDB refuses to open a database without all of its column families, so families written
  // by a newer build are opened too. A failure here means "no database yet" or an unreadable one;
  // DB::Open then reports the real cause.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(options, path.string(), &existing).ok()) {
    for (auto& name : existing) {
      auto known = std::any_of(out.begin(), out.end(), [&](auto& d) { return d.name == name; });
      if (!known)
        out.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }
  return out;
}

} // namespace

std::variant<std::unique_ptr<rocksdb_snapshot_store>, storage_error>
rocksdb_snapshot_store::open(const std::filesystem::path& path, store_options options) {
  if (!options.now_ms)
    options.now_ms = system_now_ms;
  if (!options.log)
    options.log = log_to_stderr;
  auto filter = std::make_unique<ttl_compaction_filter>(options.now_ms);
  auto db_options = std::make_unique<rocksdb::DBOptions>();
  db_options->create_if_missing = true;
  db_options->create_missing_column_families = true;
  db_options->info_log = std::make_shared<forwarding_logger>(options.log);
  db_options->listeners.push_back(std::make_shared<no_auto_recovery>());
  // For the WAL fsync timings (figures()); kept over reopen() with the options.
  db_options->statistics = rocksdb::CreateDBStatistics();
  auto descriptors = descriptors_for(path, *db_options, filter.get());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(*db_options, path.string(), descriptors, &handles, &raw);
  if (!status.ok())
    return from_status(status, "open snapshot store " + path.string());
  return std::unique_ptr<rocksdb_snapshot_store>(new rocksdb_snapshot_store(
      std::unique_ptr<rocksdb::DB>(raw), std::move(handles), std::move(filter), std::move(options),
      path, std::move(db_options)));
}

rocksdb_snapshot_store::rocksdb_snapshot_store(std::unique_ptr<rocksdb::DB> db,
                                               std::vector<rocksdb::ColumnFamilyHandle*> handles,
                                               std::unique_ptr<ttl_compaction_filter> filter,
                                               store_options options, std::filesystem::path path,
                                               std::unique_ptr<rocksdb::DBOptions> db_options)
    : filter_(std::move(filter)), db_(std::move(db)), handles_(std::move(handles)),
      now_ms_(std::move(options.now_ms)), path_(std::move(path)),
      db_options_(std::move(db_options)), resume_free_bytes_(options.resume_free_bytes),
      log_(std::move(options.log)),
      group_commit_(options.group_commit, [this](const std::vector<commit_request>& group,
                                                 bool sync) { return write(group, sync); }),
      resume_watch_(
          [this, interval = options.resume_check_interval] { watch_for_space(interval); }) {}

rocksdb_snapshot_store::~rocksdb_snapshot_store() {
  // The error, if any, is only observable through an explicit close().
  static_cast<void>(close());
}

void rocksdb_snapshot_store::commit(std::vector<mutation> batch, durable_callback on_durable) {
  for (auto& m : batch) {
    if (auto error = validate(m)) {
      ++invalid_commits_;
      if (on_durable)
        on_durable(std::move(error));
      return;
    }
  }
  // Encoding here spreads the copying over the callers instead of the single writer thread.
  for (auto& m : batch) {
    if (m.value)
      m.value = encode_record(*m.value, m.expires_at_ms);
  }
  group_commit_.submit(std::move(batch), std::move(on_durable));
}

std::optional<storage_error> rocksdb_snapshot_store::reopen() {
  std::error_code ec;
  auto space = std::filesystem::space(path_, ec);
  if (!ec && space.available < resume_free_bytes_)
    return storage_error{errc::no_space, "the data directory " + path_.string() + " has " +
                                             std::to_string(space.available) +
                                             " bytes free; writes resume by " + "themselves once " +
                                             std::to_string(resume_free_bytes_) + " are"};
  std::unique_lock<std::shared_mutex> lock(db_mutex_);
  if (db_) {
    for (auto* handle : handles_)
      static_cast<void>(db_->DestroyColumnFamilyHandle(handle)); // released either way
    handles_.clear();
    static_cast<void>(db_->Close()); // it fails with the write error the reopen is for
    db_.reset();
  }
  // Until this succeeds reads are refused as closed; the next group tries again.
  auto descriptors = descriptors_for(path_, *db_options_, filter_.get());
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(*db_options_, path_.string(), descriptors, &handles_, &raw);
  if (!status.ok())
    return from_status(status, "reopen snapshot store " + path_.string());
  db_.reset(raw);
  needs_reopen_ = false;
  return std::nullopt;
}

void rocksdb_snapshot_store::watch_for_space(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(watch_mutex_);
  while (!watch_wake_.wait_for(lock, interval, [this] { return watch_stopping_; })) {
    if (!needs_reopen_.load() || probe_pending_.load())
      continue;
    std::error_code ec;
    auto space = std::filesystem::space(path_, ec);
    if (ec || space.available < resume_free_bytes_)
      continue;
    probe_pending_ = true;
    group_commit_.submit({}, [this](std::optional<storage_error> err) {
      probe_pending_ = false;
      if (!err)
        log_("the snapshot store writes again: space is back, the database was reopened");
    });
  }
}

std::optional<storage_error> rocksdb_snapshot_store::write(const std::vector<commit_request>& group,
                                                           bool sync) {
  if (needs_reopen_)
    if (auto error = reopen())
      return error;
  rocksdb::WriteBatch batch;
  for (const auto& request : group) {
    for (const auto& m : request.mutations) {
      auto* family = handles_[index_of(m.kind)];
      auto status = m.value ? batch.Put(family, m.key, *m.value) : batch.Delete(family, m.key);
      if (!status.ok())
        return from_status(status, "add " + describe(m.kind, m.key) + " to a write batch");
    }
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  auto status = db_->Write(options, &batch);
  if (!status.ok()) {
    auto error =
        from_status(status, "write a group of " + std::to_string(group.size()) + " commits");
    needs_reopen_ = reopen_cures(error.code);
    return error;
  }
  return std::nullopt;
}

std::variant<std::optional<std::string>, storage_error>
rocksdb_snapshot_store::get(entity_kind kind, std::string_view key) const {
  if (!is_valid(kind))
    return storage_error{errc::invalid_argument, "unknown entity kind"};
  std::shared_lock<std::shared_mutex> lock(db_mutex_);
  if (!db_)
    return closed_error();
  rocksdb::PinnableSlice stored;
  auto status = db_->Get(rocksdb::ReadOptions(), handles_[index_of(kind)],
                         rocksdb::Slice(key.data(), key.size()), &stored);
  if (status.IsNotFound())
    return std::optional<std::string>();
  if (!status.ok())
    return from_status(status, "get " + describe(kind, key));
  auto decoded = decode_record(std::string_view(stored.data(), stored.size()));
  if (auto* error = std::get_if<storage_error>(&decoded)) {
    error->message = describe(kind, key) + ": " + error->message;
    return *error;
  }
  const auto& record = std::get<record_view>(decoded);
  if (is_expired(record, now_ms_()))
    return std::optional<std::string>();
  return std::optional<std::string>(std::string(record.payload));
}

std::optional<storage_error> rocksdb_snapshot_store::scan(
    entity_kind kind, std::string_view key_prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  if (!is_valid(kind))
    return storage_error{errc::invalid_argument, "unknown entity kind"};
  std::shared_lock<std::shared_mutex> lock(db_mutex_);
  if (!db_)
    return closed_error();
  auto now = now_ms_();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[index_of(kind)]));
  for (it->Seek(rocksdb::Slice(key_prefix.data(), key_prefix.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, key_prefix.size()) != key_prefix)
      break;
    auto decoded = decode_record(std::string_view(it->value().data(), it->value().size()));
    if (auto* error = std::get_if<storage_error>(&decoded)) {
      error->message = describe(kind, key) + ": " + error->message;
      return *error;
    }
    const auto& record = std::get<record_view>(decoded);
    if (is_expired(record, now))
      continue;
    if (!visit(key, record.payload))
      return std::nullopt;
  }
  if (!it->status().ok())
    return from_status(it->status(), "scan " + describe(kind, key_prefix));
  return std::nullopt;
}

write_figures rocksdb_snapshot_store::figures() const {
  auto out = group_commit_.figures();
  rocksdb::HistogramData fsyncs;
  db_options_->statistics->histogramData(rocksdb::WAL_FILE_SYNC_MICROS, &fsyncs);
  constexpr double per_micro = 1e-6;
  out.fsyncs = {fsyncs.count,
                static_cast<double>(fsyncs.sum) * per_micro,
                fsyncs.median * per_micro,
                fsyncs.percentile95 * per_micro,
                fsyncs.percentile99 * per_micro,
                fsyncs.max * per_micro};
  return out;
}

bool rocksdb_snapshot_store::degraded() const {
  std::shared_lock<std::shared_mutex> lock(db_mutex_);
  return db_ != nullptr && needs_reopen_.load();
}

store_stats rocksdb_snapshot_store::stats() const {
  auto out = group_commit_.stats();
  out.rejected_commits += invalid_commits_.load();
  return out;
}

std::optional<storage_error> rocksdb_snapshot_store::health() const {
  {
    std::shared_lock<std::shared_mutex> lock(db_mutex_);
    if (!db_)
      return closed_error();
  }
  return group_commit_.last_error();
}

std::optional<storage_error> rocksdb_snapshot_store::compact(entity_kind kind) {
  if (!is_valid(kind))
    return storage_error{errc::invalid_argument, "unknown entity kind"};
  std::shared_lock<std::shared_mutex> lock(db_mutex_);
  if (!db_)
    return closed_error();
  rocksdb::CompactRangeOptions options;
  // Rewrite the bottommost level too, so every record passes through the TTL filter.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto status = db_->CompactRange(options, handles_[index_of(kind)], nullptr, nullptr);
  if (!status.ok())
    return from_status(status, "compact " + std::string(to_string(kind)));
  return std::nullopt;
}

std::optional<storage_error> rocksdb_snapshot_store::close() {
  {
    std::lock_guard<std::mutex> guard(watch_mutex_);
    watch_stopping_ = true;
  }
  watch_wake_.notify_one();
  if (resume_watch_.joinable())
    resume_watch_.join();
  group_commit_.stop();
  std::unique_lock<std::shared_mutex> lock(db_mutex_);
  if (!db_)
    return close_error_;
  for (auto* handle : handles_) {
    auto status = db_->DestroyColumnFamilyHandle(handle);
    if (!status.ok() && !close_error_)
      close_error_ = from_status(status, "release a column family");
  }
  handles_.clear();
  auto status = db_->Close();
  if (!status.ok() && !close_error_)
    close_error_ = from_status(status, "close the snapshot store");
  db_.reset();
  return close_error_;
}

} // namespace tt::storage
