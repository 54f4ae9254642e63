#pragma once
/// Loads the event catalog the node serves from a directory (node start, and
/// TriggerOperation(OPERATION_TYPE_REFRESH_CONFIG)). Blocking file I/O: call it from the node's
/// main thread or a worker, never inside an actor's message handler.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"
#include "adapters/catalog/catalog_format.hpp"

namespace tt::adapters::catalog {

/// Every event in `dir`, one per file: each regular file named *.yaml, *.yml or *.json (other
/// files, such as README.md, are skipped), read in file-name order and parsed by
/// parse_event_yaml/parse_event_json. All or nothing: the first bad file fails the whole load,
/// its name leading the message ("stadium.yaml: sections[3].price: must be positive") and in a
/// "file" detail after the field path; an event_id defined by two files fails naming both. A
/// missing directory is errc::not_found; every other problem errc::invalid_argument.
result<std::vector<domain::event_definition>>
load_catalog_directory(const std::filesystem::path& dir, const format_limits& limits = {});

using shared_catalog = std::shared_ptr<const std::vector<domain::event_definition>>;

/// load_catalog_directory, parsed again only when the directory's catalog files changed (a
/// file added, removed, resized or written since): a clustered node reads the catalog at every
/// shard gain, and a catalog of big venues costs seconds of CPU to parse. Thread-safe.
class catalog_cache {
 public:
  explicit catalog_cache(std::filesystem::path dir, format_limits limits = {});
  result<shared_catalog> load();

 private:
  std::filesystem::path dir_;
  format_limits limits_;
  std::mutex mutex_;
  std::string signature_; // of the files cached_ was parsed from; under mutex_
  shared_catalog cached_; // under mutex_
};

} // namespace tt::adapters::catalog
