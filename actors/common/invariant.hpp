#pragma once
/// An invariant breach is a bug, not an expected failure (STYLE.md: apply never fails on events
/// that decide produced). Continuing could oversell a seat, so we log and abort.

#include <string_view>

namespace tt {

/// Writes `what` to stderr and aborts the process. Never returns.
[[noreturn]] void invariant_breach(std::string_view what) noexcept;

} // namespace tt
