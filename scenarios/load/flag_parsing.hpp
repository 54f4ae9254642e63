// Command-line parsing shared by the load tools (tt_loadgen, tt_flowgen): `--flag value` and
// `--flag=value`, switches, --help, and value checks whose errors name the flag.

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tt::load {

/// `v` as a finite number >= `min`; std::invalid_argument naming `flag` otherwise.
double to_double(const std::string& flag, const std::string& v, double min);

/// `v` as a whole number >= `min` (at most 18 digits); std::invalid_argument otherwise.
uint64_t to_count(const std::string& flag, const std::string& v, uint64_t min);

/// The flags of one tool: those taking a value (a setter that may throw std::invalid_argument)
/// and switches (a bool member set to true).
template <class Options>
struct flag_table {
  using setter = std::function<void(Options&, const std::string& flag, const std::string& value)>;
  std::map<std::string, setter> valued;
  std::map<std::string, bool Options::*> switches;
};

/// A flag whose value is stored as given.
template <class Options>
typename flag_table<Options>::setter text_flag(std::string Options::*member) {
  return [member](Options& o, const std::string&, const std::string& v) {
    o.*member = v;
  };
}

/// A flag whose value must be a whole number >= `min`, stored in an integer member.
template <class Options, class Int>
typename flag_table<Options>::setter count_flag(Int Options::*member, uint64_t min) {
  return [member, min](Options& o, const std::string& f, const std::string& v) {
    o.*member = static_cast<Int>(to_count(f, v, min));
  };
}

/// A flag whose value must be a number >= `min` (seconds, rates).
template <class Options>
typename flag_table<Options>::setter number_flag(double Options::*member, double min) {
  return [member, min](Options& o, const std::string& f, const std::string& v) {
    o.*member = to_double(f, v, min);
  };
}

/// Applies `args` to `out`, setting `help` for --help/-h. Returns an error message for an unknown
/// flag, a missing value, or a value its setter refused.
template <class Options>
std::optional<std::string> parse_flags(const std::vector<std::string>& args,
                                       const flag_table<Options>& table, Options& out, bool& help) {
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      std::string flag = args[i];
      std::string value;
      bool inline_value = false;
      if (auto eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        inline_value = true;
      }
      if (flag == "--help" || flag == "-h") {
        help = true;
      } else if (auto sw = table.switches.find(flag); sw != table.switches.end()) {
        out.*(sw->second) = true;
      } else if (auto it = table.valued.find(flag); it != table.valued.end()) {
        if (!inline_value) {
          if (i + 1 == args.size())
            return flag + " needs a value";
          value = args[++i];
        }
        it->second(out, flag, value);
      } else {
        return "unknown argument '" + args[i] + "' (see --help)";
      }
    }
  } catch (const std::invalid_argument& e) {
    return std::string{e.what()};
  }
  return std::nullopt;
}

} // namespace tt::load
