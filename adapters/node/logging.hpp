#pragma once
/// Process-wide logging on spdlog: human-readable text by default, or one JSON object per line
/// (ts, level, logger, msg) for log shippers.

#include <string>

namespace tt::node {

/// `level` and `format` were validated by the config.
void setup_logging(const std::string& level, const std::string& format);

} // namespace tt::node
