#pragma once
/// Domain payment intents <-> tt.internal.v1.PaymentRecord: the intent's snapshot format, and the
/// reply kept under a payment write's idempotency key (the record itself: payment rejections are
/// not stored, a retry of one runs again and changes nothing either time).

#include <string>

#include "actors/common/result.hpp"
#include "actors/runtime/payment_protocol.hpp"
#include "proto/tt/internal/v1/payment.pb.h"

namespace tt::actors {

tt::internal::v1::PaymentRecord to_record(const domain::payment_state& state);
domain::payment_state from_record(const tt::internal::v1::PaymentRecord& record);

std::string encode_payment_reply(const payment_reply& reply);
/// errc::data_corruption for bytes that do not parse.
result<payment_reply> decode_payment_reply(const std::string& bytes);

} // namespace tt::actors
