#pragma once
/// Domain reservation values <-> tt.internal.v1 records. Used to keep a write's reply under its
/// idempotency key (a retry gets exactly the same reply, or the same rejection) and as the
/// reservation's snapshot format.

#include <string>

#include "actors/common/result.hpp"
#include "actors/runtime/event_protocol.hpp"
#include "proto/tt/internal/v1/reservation.pb.h"

namespace tt::actors {

tt::internal::v1::ReservationRecord to_record(const domain::reservation_state& state);
domain::reservation_state from_record(const tt::internal::v1::ReservationRecord& record);

/// The bytes stored for a reply, or for a rejection.
std::string encode_reply(const reservation_reply& reply);
std::string encode_reply(const failure& rejection);

/// The stored reply again; a stored rejection comes back as that failure. Bytes that do not
/// parse give errc::data_corruption.
result<reservation_reply> decode_reply(const std::string& bytes);

} // namespace tt::actors
