// What the gateway reads from a request: percent-decoding and query parameters.
#include "adapters/http/exchange.hpp"

#include <doctest/doctest.h>

using namespace tt::adapters::http;

TEST_CASE("percent-decoding, with '+' a space only in queries") {
  CHECK(url_decode("a%20b", false) == "a b");
  CHECK(url_decode("a+b", false) == "a+b");
  CHECK(url_decode("a+b", true) == "a b");
  CHECK(url_decode("%e2%82%a9", false) == "\xe2\x82\xa9");
  CHECK_FALSE(url_decode("%", false));
  CHECK_FALSE(url_decode("%4", false));
  CHECK_FALSE(url_decode("%zz", false));
}

TEST_CASE("query parameters by name, decoded") {
  request req{boost::beast::http::verb::get, "/api/v1/queue/status?x=1&token=w-a%2Fb&empty=", 11};
  exchange x{std::move(req), "127.0.0.1", [](response) {}, "trace", ""};
  CHECK(x.query("token") == "w-a/b");
  CHECK(x.query("x") == "1");
  CHECK(x.query("empty").empty());
  CHECK(x.query("missing").empty());
}

TEST_CASE("an exchange answers once, with the trace id and the error body") {
  int answers = 0;
  response last;
  request req{boost::beast::http::verb::get, "/x", 11};
  exchange x{std::move(req), "127.0.0.1",
             [&](response r) {
               ++answers;
               last = std::move(r);
             },
             "trace-9", "https://shop.example"};
  x.fail(common::v1::ERROR_CODE_NOT_FOUND, "no such thing");
  x.reply(200, {{"late", true}});
  CHECK(answers == 1);
  CHECK(last.result_int() == 404);
  CHECK(last["X-Trace-Id"] == "trace-9");
  CHECK(last["Access-Control-Allow-Origin"] == "https://shop.example");
  CHECK(last.body().find("\"trace_id\":\"trace-9\"") != std::string::npos);
}
