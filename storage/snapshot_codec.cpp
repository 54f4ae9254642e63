#include "storage/snapshot_codec.hpp"

namespace tt::storage {

namespace {

constexpr uint8_t flag_expiry = 0x01;
constexpr std::size_t v1_header_size = 2;
constexpr std::size_t expiry_size = 8;

storage_error corrupt(std::string what) {
  return storage_error{errc::corruption, "snapshot record: " + std::move(what)};
}

std::variant<record_view, storage_error> decode_v1(std::string_view bytes) {
  if (bytes.size() < v1_header_size)
    return corrupt("truncated header");
  auto flags = static_cast<uint8_t>(bytes[1]);
  if ((flags & ~flag_expiry) != 0)
    return corrupt("unknown flags " + std::to_string(flags));
  record_view out;
  std::size_t offset = v1_header_size;
  if (flags & flag_expiry) {
    if (bytes.size() < offset + expiry_size)
      return corrupt("truncated expiry");
    uint64_t raw = 0;
    for (std::size_t i = 0; i < expiry_size; ++i)
      raw |= uint64_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
    out.expires_at_ms = static_cast<int64_t>(raw);
    offset += expiry_size;
  }
  out.payload = bytes.substr(offset);
  return out;
}

} // namespace

std::string encode_record(std::string_view payload, std::optional<int64_t> expires_at_ms) {
  std::string out;
  out.reserve(v1_header_size + expiry_size + payload.size());
  out.push_back(static_cast<char>(record_format_version));
  out.push_back(static_cast<char>(expires_at_ms ? flag_expiry : 0));
  if (expires_at_ms) {
    auto raw = static_cast<uint64_t>(*expires_at_ms);
    for (std::size_t i = 0; i < expiry_size; ++i)
      out.push_back(static_cast<char>((raw >> (8 * i)) & 0xff));
  }
  out.append(payload);
  return out;
}

std::variant<record_view, storage_error> decode_record(std::string_view bytes) {
  if (bytes.empty())
    return corrupt("empty value");
  auto version = static_cast<uint8_t>(bytes[0]);
  switch (version) {
    case 1:
      return decode_v1(bytes);
    default:
      break;
  }
  if (version > record_format_version)
    return storage_error{errc::unsupported_version,
                         "snapshot record: format version " + std::to_string(version) +
                             " is newer than this build reads (up to " +
                             std::to_string(record_format_version) + ")"};
  return corrupt("invalid format version " + std::to_string(version));
}

} // namespace tt::storage
