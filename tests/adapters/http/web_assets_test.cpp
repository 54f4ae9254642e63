// The storefront as built into the node: every file embedded byte for byte, found by its path.
#include "adapters/http/web_assets.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace tt::adapters::http;

TEST_CASE("/ is the storefront's index page and each file has its content type") {
  auto index = find_web_asset("/");
  REQUIRE(index);
  CHECK(index->path == "/index.html");
  CHECK(index->bytes.find("<script type=\"module\" src=\"/app.js\">") != std::string_view::npos);
  CHECK(find_web_asset("/app.js"));
  CHECK(find_web_asset("/console.html"));
  CHECK_FALSE(find_web_asset("/api/v1/events"));
  CHECK_FALSE(find_web_asset("/../CMakeLists.txt"));
  CHECK(content_type_of("/index.html") == "text/html; charset=utf-8");
  CHECK(content_type_of("/app.js") == "text/javascript; charset=utf-8");
  CHECK(content_type_of("/style.css") == "text/css; charset=utf-8");
  CHECK(content_type_of("/x.bin") == "application/octet-stream");
}

TEST_CASE("the embedded files are the repository's, byte for byte (Korean text included)") {
  for (const auto& asset : web_assets()) {
    std::ifstream in{std::string{TT_WEB_DIR} + std::string{asset.path}, std::ios::binary};
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == asset.bytes);
  }
  CHECK(web_assets().size() >= 6);
}
