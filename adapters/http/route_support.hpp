#pragma once
/// What every route shares: one contract call whose failure becomes the HTTP error (optionally
/// renamed to the original gateway's code for that route), reading the JSON body's fields with
/// their types checked, and the JSON forms of contract values.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/timestamp.pb.h>
#include <nlohmann/json.hpp>

#include "adapters/http/gateway.hpp"
#include "proto/payment/v1/payment.pb.h"
#include "proto/reservation/v1/reservation.pb.h"

namespace tt::adapters::http {

using json = nlohmann::json;
using exchange_ptr = std::shared_ptr<exchange>;

/// Calls `method_path` with `request`; on OK runs `on_ok(x, response)`, else answers the mapped
/// error after `rename` (when set) had its say.
template <class Response>
void ask(gateway& g, exchange_ptr x, const std::string& method_path,
         const google::protobuf::Message& request, std::function<void(exchange&, Response&)> on_ok,
         std::function<void(api_error&)> rename = {}) {
  g.client().call<Response>(method_path, request, x->trace_id(),
                            [x, on_ok = std::move(on_ok), rename = std::move(rename)](
                                const grpc::Status& status, Response& response) {
                              if (status.ok()) {
                                on_ok(*x, response);
                                return;
                              }
                              auto e = error_of(status);
                              if (rename)
                                rename(e);
                              x->fail(e);
                            });
}

/// The answer when the blocking-work thread has too many jobs waiting.
void answer_busy(exchange& x);

/// For reads and writes of a reservation or payment the caller names by id: someone else's is
/// answered as if it did not exist (the contract says FORBIDDEN; over HTTP that would confirm
/// the id is real).
void hide_others(api_error& e);

/// The body's fields by name, each type-checked; the first problem is kept and answered by
/// `check`.
class body_fields {
 public:
  explicit body_fields(const json& body) : body_(body) {}
  /// "" when absent.
  std::string text(const char* name);
  /// `fallback` when absent; must be an integer when present.
  int64_t integer(const char* name, int64_t fallback);
  std::vector<std::string> texts(const char* name);
  /// A required field that is absent or empty.
  void require(const char* name, const std::string& value);
  /// False when a field was wrong (then `x` has been answered 400).
  bool check(exchange& x) const;

 private:
  void wrong(const char* name, const char* expected);
  const json& body_;
  std::optional<std::string> problem_;
};

/// RFC 3339 in UTC with milliseconds ("2027-03-01T10:00:00.000Z"); "" for an unset time.
std::string rfc3339(const google::protobuf::Timestamp& t);

/// The enum value's name without its prefix: "HOLD" for RESERVATION_STATUS_HOLD.
std::string enum_word(const std::string& full_name, const std::string& prefix);

json reservation_json(const reservation::v1::Reservation& r);
json payment_json(const payment::v1::Payment& p);
json seat_json(const common::v1::Seat& s);

} // namespace tt::adapters::http
