#include "adapters/catalog/catalog_directory.hpp"

#include <algorithm>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "adapters/catalog/schema_text.hpp"

namespace tt::adapters::catalog {
namespace {

namespace fs = std::filesystem;

enum class file_format { yaml, json };

std::optional<file_format> format_of(const fs::path& path) {
  auto extension = path.extension().string();
  if (extension == ".yaml" || extension == ".yml")
    return file_format::yaml;
  if (extension == ".json")
    return file_format::json;
  return std::nullopt;
}

/// The file name as it goes into messages: bytes that are not UTF-8 (Linux names may hold any)
/// become '?', so the error itself stays valid UTF-8.
std::string display_name(const fs::path& path) {
  std::string name = path.filename().string();
  for (auto at = first_invalid_utf8(name); at != std::string::npos; at = first_invalid_utf8(name))
    name[at] = '?';
  return name;
}

error_detail file_detail(std::string name) {
  return error_detail{"file", "in this catalog file", std::move(name)};
}

failure in_file(failure error, const std::string& name) {
  error.message = name + ": " + error.message;
  error.details.push_back(file_detail(name));
  return error;
}

result<std::string> read_text(const fs::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec)
    return invalid_field("document", "cannot be read: " + ec.message());
  // Checked before reading, so an oversized file is never loaded into memory.
  if (size > max_bytes)
    return invalid_field("document", "larger than " + std::to_string(max_bytes) + " bytes");
  std::string text(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in || static_cast<std::size_t>(in.gcount()) != text.size())
    return invalid_field("document", "cannot be read");
  return text;
}

/// The catalog files in `dir`, sorted by name.
result<std::vector<fs::path>> list_files(const fs::path& dir, std::size_t max_files) {
  std::error_code ec;
  bool present = fs::exists(dir, ec);
  if (ec)
    return invalid_field("directory", "cannot be accessed: " + ec.message(),
                         printable_prefix(dir.string(), 256));
  if (!present)
    return fail(errc::not_found, "catalog directory " + dir.string() + " does not exist",
                {error_detail{"directory", "does not exist", printable_prefix(dir.string(), 256)}});
  std::vector<fs::path> files;
  fs::directory_iterator it{dir, ec};
  for (; !ec && it != fs::directory_iterator{}; it.increment(ec)) {
    std::error_code type_ec;
    if (!format_of(it->path()) || !it->is_regular_file(type_ec))
      continue;
    if (files.size() == max_files)
      return invalid_field("directory",
                           "more than " + std::to_string(max_files) + " catalog files");
    files.push_back(it->path());
  }
  if (ec)
    return invalid_field("directory", "cannot be listed: " + ec.message(),
                         printable_prefix(dir.string(), 256));
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return files;
}

result<std::vector<domain::event_definition>> load(const fs::path& dir,
                                                   const format_limits& limits) {
  auto files = list_files(dir, limits.max_files);
  if (!files)
    return std::move(files).error();
  std::vector<domain::event_definition> events;
  std::unordered_map<std::string, std::string> file_of_event;
  for (const auto& path : *files) {
    auto name = display_name(path);
    auto text = read_text(path, limits.max_input_bytes);
    if (!text)
      return in_file(std::move(text).error(), name);
    auto event = *format_of(path) == file_format::yaml ? parse_event_yaml(*text, limits)
                                                       : parse_event_json(*text, limits);
    if (!event)
      return in_file(std::move(event).error(), name);
    const auto& id = event->id();
    if (auto [at, added] = file_of_event.emplace(id, name); !added)
      return fail(errc::invalid_argument,
                  name + ": event_id " + id + " is already defined in " + at->second,
                  {error_detail{"event_id", "duplicate event id", id}, file_detail(at->second),
                   file_detail(name)});
    events.push_back(std::move(event).value());
  }
  return events;
}

} // namespace

result<std::vector<domain::event_definition>>
load_catalog_directory(const std::filesystem::path& dir, const format_limits& limits) {
  // The filesystem and allocation may still throw; the loader's contract is a result, always.
  try {
    return load(dir, limits);
  } catch (const std::exception& e) {
    return invalid_field("directory",
                         std::string{"cannot be loaded: "} + printable_prefix(e.what(), 200));
  }
}

catalog_cache::catalog_cache(std::filesystem::path dir, format_limits limits)
    : dir_(std::move(dir)), limits_(limits) {}

result<shared_catalog> catalog_cache::load() {
  std::lock_guard lock{mutex_};
  std::string signature;
  try {
    auto files = list_files(dir_, limits_.max_files);
    if (!files)
      return std::move(files).error();
    for (const auto& path : *files) {
      std::error_code ec;
      auto size = fs::file_size(path, ec);
      auto written = fs::last_write_time(path, ec);
      if (ec)
        return in_file(invalid_field("document", "cannot be read: " + ec.message()),
                       display_name(path));
      signature += path.filename().string() + '\0' + std::to_string(size) + '\0' +
                   std::to_string(written.time_since_epoch().count()) + '\0';
    }
  } catch (const std::exception& e) {
    return invalid_field("directory",
                         std::string{"cannot be listed: "} + printable_prefix(e.what(), 200));
  }
  if (cached_ && signature == signature_)
    return cached_;
  auto loaded = load_catalog_directory(dir_, limits_);
  if (!loaded)
    return std::move(loaded).error();
  cached_ = std::make_shared<const std::vector<domain::event_definition>>(std::move(*loaded));
  signature_ = std::move(signature);
  return cached_;
}

} // namespace tt::adapters::catalog
