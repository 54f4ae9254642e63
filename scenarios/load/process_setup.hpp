#pragma once
/// What every bench tool (tt_loadgen, tt_flowgen, tt_echo_server) does first, so that the
/// baseline and the clients run gRPC the way tacosd does (adapters/node/main.cpp).

namespace tt::load {

/// Turns off abseil's deadlock-detection graph on gRPC's mutexes, as tacosd does: Debian's
/// abseil is built without NDEBUG, so otherwise every absl::Mutex lock updates it.
void quiet_abseil_mutexes();

} // namespace tt::load
