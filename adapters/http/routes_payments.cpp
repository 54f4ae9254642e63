// Payments: POST /api/v1/payment/intent, GET /payment/:id/status, POST /payment/process (and
// the same under /payments), through payment.v1.PaymentService. ProcessPayment names no user in
// the contract, so the route first reads the intent as the caller (GetPaymentStatus: someone
// else's intent is NOT_FOUND, as on every read) and only then processes it.
#include "adapters/http/route_support.hpp"

#include <cctype>

namespace tt::adapters::http::routes {

namespace v1 = payment::v1;

namespace {

constexpr const char* service = "/payment.v1.PaymentService/";

std::string method(const char* name) {
  return std::string{service} + name;
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// The simulated outcome an original client names ("approve", "fail", ...); UNSPECIFIED when
/// none; nullopt when the name is unknown.
std::optional<v1::PaymentScenario> scenario_of(const std::string& word) {
  if (word.empty())
    return v1::PAYMENT_SCENARIO_UNSPECIFIED;
  v1::PaymentScenario s;
  if (!v1::PaymentScenario_Parse("PAYMENT_SCENARIO_" + upper(word), &s))
    return std::nullopt;
  return s;
}

/// The outcome is chosen when the intent is created (the contract's scenario); an `action` at
/// processing may only restate it. Approve is also what an intent without a scenario does.
bool action_matches(v1::PaymentScenario action, v1::PaymentScenario chosen) {
  auto effective = [](v1::PaymentScenario s) {
    return s == v1::PAYMENT_SCENARIO_UNSPECIFIED ? v1::PAYMENT_SCENARIO_APPROVE : s;
  };
  return action == v1::PAYMENT_SCENARIO_UNSPECIFIED || effective(action) == effective(chosen);
}

void process(gateway& g, const exchange_ptr& x, const std::string& intent) {
  v1::ProcessPaymentRequest req;
  req.set_payment_intent_id(intent);
  req.set_idempotency_key(x->idempotency_key);
  ask<v1::ProcessPaymentResponse>(
      g, x, method("ProcessPayment"), req, [intent](exchange& ex, v1::ProcessPaymentResponse& r) {
        ex.reply(200, {{"payment_intent_id", intent},
                       {"payment_id", r.payment_id()},
                       {"status", enum_word(v1::PaymentStatus_Name(r.status()), "PAYMENT_STATUS_")},
                       {"transaction_id", r.transaction_id()},
                       {"processed_at", rfc3339(r.processed_at())}});
      });
}

} // namespace

void payment_intent(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  v1::CreatePaymentIntentRequest req;
  req.set_reservation_id(f.text("reservation_id"));
  req.mutable_amount()->set_amount(f.integer("amount", 0));
  auto currency = f.text("currency");
  req.mutable_amount()->set_currency(currency.empty() ? "KRW" : upper(currency));
  auto scenario = scenario_of(f.text("scenario"));
  req.set_user_id(x->user->user_id);
  req.set_idempotency_key(x->idempotency_key);
  f.require("reservation_id", req.reservation_id());
  if (!f.check(*x))
    return;
  if (!scenario) {
    x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT,
            "scenario must be one of approve, fail, delay, random, timeout");
    return;
  }
  req.set_scenario(*scenario);
  ask<v1::CreatePaymentIntentResponse>(
      g, x, method("CreatePaymentIntent"), req,
      [](exchange& ex, v1::CreatePaymentIntentResponse& r) {
        ex.reply(200, {{"payment_intent_id", r.payment_intent_id()},
                       {"status", enum_word(v1::PaymentStatus_Name(r.status()), "PAYMENT_STATUS_")},
                       {"amount", ex.body.value("amount", int64_t{0})},
                       {"currency", upper(ex.body.value("currency", std::string{"KRW"}))},
                       {"reservation_id", ex.body.value("reservation_id", "")},
                       {"client_secret", r.client_secret()},
                       {"expires_at", rfc3339(r.expires_at())}});
      },
      hide_others);
}

void payment_status(gateway& g, exchange_ptr x) {
  v1::GetPaymentStatusRequest req;
  req.set_payment_intent_id(x->params.at(0));
  req.set_user_id(x->user->user_id);
  ask<v1::GetPaymentStatusResponse>(
      g, x, method("GetPaymentStatus"), req,
      [](exchange& ex, v1::GetPaymentStatusResponse& r) {
        ex.reply(200, payment_json(r.payment()));
      },
      hide_others);
}

void payment_process(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto intent = f.text("payment_intent_id");
  auto action = scenario_of(f.text("action"));
  f.require("payment_intent_id", intent);
  if (!f.check(*x))
    return;
  if (!action) {
    x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, "action must be approve or fail");
    return;
  }
  v1::GetPaymentStatusRequest owner;
  owner.set_payment_intent_id(intent);
  owner.set_user_id(x->user->user_id);
  ask<v1::GetPaymentStatusResponse>(
      g, x, method("GetPaymentStatus"), owner,
      [&g, x, intent, action = *action](exchange& ex, v1::GetPaymentStatusResponse& r) {
        auto chosen = r.payment().metadata().scenario();
        if (!action_matches(action, chosen)) {
          ex.fail(common::v1::ERROR_CODE_FAILED_PRECONDITION,
                  "this intent's outcome was chosen at its creation (scenario " +
                      enum_word(v1::PaymentScenario_Name(chosen), "PAYMENT_SCENARIO_") +
                      "); create the intent with the scenario wanted");
          return;
        }
        process(g, x, intent);
      },
      hide_others);
}

} // namespace tt::adapters::http::routes
