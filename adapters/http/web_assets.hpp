#pragma once
/// The storefront and operator console (adapters/http/web/), built into the node: plain HTML,
/// JavaScript modules and CSS, no build step. The gateway serves them at `/` (`/` is
/// index.html): GET and HEAD only, with their content type, no-cache and a content security
/// policy that lets the pages talk to this node only.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tt::adapters::http {

struct web_asset {
  std::string_view path;  // "/app.js"
  std::string_view bytes; // the file as it is in the repository
};

/// Every file of adapters/http/web (generated at build time by embed_web.cmake).
const std::vector<web_asset>& web_assets();

/// The asset a GET of `path` (no query) names, "/" being "/index.html"; nullopt for none.
std::optional<web_asset> find_web_asset(std::string_view path);

/// "text/javascript; charset=utf-8" for "/app.js", by the extension.
std::string content_type_of(std::string_view path);

} // namespace tt::adapters::http
