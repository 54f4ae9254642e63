#pragma once
/// The call_guard of the operators' RPCs (every AdminService call, WorkerService's manual
/// effects and job status). With a required role configured (auth.admin_role), a call needs an
/// `authorization: Bearer <JWT>` header whose token the node's JWT verifier accepts (the same
/// checks as GatewayService/ValidateToken: signature, exp/nbf, iss/aud) and whose `roles` or
/// `role` claim holds that role: no header or a bad token is UNAUTHENTICATED, a valid token
/// without the role PERMISSION_DENIED. Without one, every caller is admitted as "anonymous".
/// There is no bypass: no header, peer address or token value is trusted otherwise.
/// Every refusal is an audit line ("audit: refused ..."), throttled per method and outcome so a
/// flood of refused calls cannot flood the log.

#include <optional>
#include <string>

#include "adapters/auth/jwt.hpp"
#include "adapters/grpc/call_guard.hpp"
#include "adapters/logs/throttled_log.hpp"

namespace tt::adapters::rpc {

class admin_guard final : public call_guard {
 public:
  /// Open: every caller is admitted.
  explicit admin_guard(logs::throttled_log& refusals);
  /// Calls need a token `verifier` accepts that carries `role`. `refusals` outlives the guard.
  admin_guard(auth::jwt_verifier verifier, std::string role, logs::throttled_log& refusals);

  result<std::string> admit(const grpc::CallbackServerContext& ctx, std::string_view method,
                            std::string_view trace_id) const override;

  bool open() const noexcept { return !verifier_.has_value(); }

 private:
  result<std::string> check(const grpc::CallbackServerContext& ctx) const;

  std::optional<auth::jwt_verifier> verifier_;
  std::string role_;
  logs::throttled_log* refusals_;
};

} // namespace tt::adapters::rpc
