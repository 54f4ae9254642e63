#include "adapters/http/web_assets.hpp"

#include <algorithm>

namespace tt::adapters::http {

std::optional<web_asset> find_web_asset(std::string_view path) {
  if (path == "/")
    path = "/index.html";
  const auto& all = web_assets();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const web_asset& a) { return a.path == path; });
  if (it == all.end())
    return std::nullopt;
  return *it;
}

std::string content_type_of(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

} // namespace tt::adapters::http
