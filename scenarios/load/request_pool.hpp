// Requests for the load generator: a JSON template (protobuf JSON mapping of the method's input
// type) expanded into a pool of serialized requests before the run, so the hot path only picks a
// pre-built slice and never parses JSON.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <grpcpp/support/slice.h>

namespace tt::load {

/// The unary contract method named by a gRPC path ("/pkg.Service/Method").
struct method_info {
  std::string path;       ///< as given, the HTTP/2 path of every call
  std::string input_type; ///< full name of the request message
};

/// Looks `path` up in the generated descriptor pool (every contract compiled into tt_proto).
/// Returns an error message for a malformed path, an unknown method or a streaming one.
std::variant<method_info, std::string> find_method(const std::string& path);

/// Serialized requests, indexed by request number modulo `size()`.
class request_pool {
 public:
  /// Expands `json_template` `count` (>= 1) times (once when it has no placeholder), substituting
  /// per entry i: `{n}` → i, `{n%K}` → i mod K, `{rand%K}` → a seeded random number below K,
  /// `{uuid}` → a random version-4 UUID (lower-case hex). Each expansion is parsed as `input_type`
  /// with the contract's JSON mapping; unknown fields and bad values are errors naming the entry.
  static std::variant<request_pool, std::string> build(const std::string& input_type,
                                                       const std::string& json_template,
                                                       size_t count, uint64_t seed);

  /// One entry per template in `templates` (a request file's lines), in order: entry i is
  /// template i expanded once as above with {n} = i. Pre-built values, such as waiting tokens
  /// from a setup pass, go in as literal text.
  static std::variant<request_pool, std::string>
  build_from_lines(const std::string& input_type, const std::vector<std::string>& templates,
                   uint64_t seed);

  size_t size() const { return slices_.size(); }
  const grpc::Slice& at(uint64_t request_number) const {
    return slices_[request_number % slices_.size()];
  }
  /// Mean serialized size in bytes (what goes on the wire before framing).
  double mean_bytes() const { return mean_bytes_; }

 private:
  /// Parses `entries` JSON texts, text i from `json_of(i)`, into the pool.
  static std::variant<request_pool, std::string>
  from_texts(const std::string& input_type, size_t entries,
             const std::function<std::string(size_t)>& json_of);

  std::vector<grpc::Slice> slices_;
  double mean_bytes_ = 0;
};

} // namespace tt::load
