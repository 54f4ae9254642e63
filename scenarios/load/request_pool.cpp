#include "scenarios/load/request_pool.hpp"

#include <functional>
#include <memory>
#include <random>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

// The generated descriptors register themselves when tt_proto loads; naming one keeps the link.
#include "proto/common/v1/admin.pb.h"

namespace tt::load {

namespace {

constexpr const char* type_url_prefix = "type.googleapis.com";

/// One piece of a parsed template: literal text, or a placeholder with its modulus.
struct segment {
  enum class kind { text, counter, random, uuid };
  kind what = kind::text;
  std::string text;
  uint64_t modulus = 0; // 0: none ({n}); only for counter and random
};

/// Recognises `{n}`, `{n%K}`, `{rand%K}` and `{uuid}` at `pos`; any other brace is JSON text.
bool parse_placeholder(const std::string& s, size_t pos, segment& out, size_t& length) {
  auto close = s.find('}', pos);
  if (close == std::string::npos)
    return false;
  std::string body = s.substr(pos + 1, close - pos - 1);
  length = close - pos + 1;
  if (body == "n" || body == "uuid") {
    out.what = body == "n" ? segment::kind::counter : segment::kind::uuid;
    return true;
  }
  auto percent = body.find('%');
  if (percent == std::string::npos)
    return false;
  auto name = body.substr(0, percent);
  auto digits = body.substr(percent + 1);
  if ((name != "n" && name != "rand") || digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out.modulus = std::stoull(digits);
  if (out.modulus == 0)
    return false;
  out.what = name == "n" ? segment::kind::counter : segment::kind::random;
  return true;
}

std::vector<segment> parse_template(const std::string& s) {
  std::vector<segment> out;
  std::string text;
  for (size_t i = 0; i < s.size();) {
    segment ph;
    size_t length = 0;
    if (s[i] == '{' && parse_placeholder(s, i, ph, length)) {
      if (!text.empty())
        out.push_back({segment::kind::text, std::move(text), 0});
      text.clear();
      out.push_back(std::move(ph));
      i += length;
    } else {
      text += s[i++];
    }
  }
  if (!text.empty())
    out.push_back({segment::kind::text, std::move(text), 0});
  return out;
}

std::string uuid_v4(std::mt19937_64& rng) {
  static constexpr char hex[] = "0123456789abcdef";
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~uint64_t{0xf000}) | 0x4000;                     // version 4
  lo = (lo & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60); // RFC 4122 variant
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      out += '-';
    uint64_t word = i < 16 ? hi : lo;
    out += hex[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
  return out;
}

std::string expand(const std::vector<segment>& segments, uint64_t n, std::mt19937_64& rng) {
  std::string out;
  for (const auto& seg : segments) {
    switch (seg.what) {
      case segment::kind::text:
        out += seg.text;
        break;
      case segment::kind::counter:
        out += std::to_string(seg.modulus == 0 ? n : n % seg.modulus);
        break;
      case segment::kind::random:
        out += std::to_string(rng() % seg.modulus);
        break;
      case segment::kind::uuid:
        out += uuid_v4(rng);
        break;
    }
  }
  return out;
}

} // namespace

std::variant<method_info, std::string> find_method(const std::string& path) {
  auto slash = path.rfind('/');
  if (path.size() < 4 || path[0] != '/' || slash == 0 || slash + 1 == path.size())
    return "method must look like /package.Service/Method, got '" + path + "'";
  auto full_name = path.substr(1, slash - 1) + "." + path.substr(slash + 1);
  const auto* m = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  if (m == nullptr)
    return "no contract method " + full_name;
  if (m->client_streaming() || m->server_streaming())
    return "method " + full_name + " is streaming; only unary methods can be load-tested";
  return method_info{path, m->input_type()->full_name()};
}

std::variant<request_pool, std::string> request_pool::build(const std::string& input_type,
                                                            const std::string& json_template,
                                                            size_t count, uint64_t seed) {
  auto segments = parse_template(json_template);
  bool constant = true;
  for (const auto& seg : segments)
    constant = constant && seg.what == segment::kind::text;
  std::mt19937_64 rng{seed};
  return from_texts(input_type, constant ? 1 : count,
                    [&](size_t i) { return expand(segments, i, rng); });
}

std::variant<request_pool, std::string>
request_pool::build_from_lines(const std::string& input_type,
                               const std::vector<std::string>& templates, uint64_t seed) {
  if (templates.empty())
    return std::string{"no requests: the request file has no line"};
  std::mt19937_64 rng{seed};
  return from_texts(input_type, templates.size(),
                    [&](size_t i) { return expand(parse_template(templates[i]), i, rng); });
}

std::variant<request_pool, std::string>
request_pool::from_texts(const std::string& input_type, size_t entries,
                         const std::function<std::string(size_t)>& json_of) {
  std::unique_ptr<google::protobuf::util::TypeResolver> resolver{
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          type_url_prefix, google::protobuf::DescriptorPool::generated_pool())};
  const std::string type_url = std::string{type_url_prefix} + "/" + input_type;
  request_pool pool;
  pool.slices_.reserve(entries);
  double total = 0;
  std::string binary;
  for (size_t i = 0; i < entries; ++i) {
    auto json = json_of(i);
    binary.clear();
    auto status =
        google::protobuf::util::JsonToBinaryString(resolver.get(), type_url, json, &binary);
    if (!status.ok())
      return "request " + std::to_string(i) + " is not a valid " + input_type + " (" +
             std::string{status.message()} + "): " + json;
    total += static_cast<double>(binary.size());
    pool.slices_.emplace_back(binary);
  }
  pool.mean_bytes_ = total / static_cast<double>(entries);
  return pool;
}

} // namespace tt::load
