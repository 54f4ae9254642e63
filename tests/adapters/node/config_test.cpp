#include <doctest/doctest.h>

#include <fstream>

#include "adapters/node/config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::node;

namespace {

std::variant<parsed_args, std::string> load(std::vector<std::string> args,
                                            std::vector<std::string> env = {}) {
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  return load_config(args, envp.data());
}

node_config config_of(const std::variant<parsed_args, std::string>& r) {
  if (auto* err = std::get_if<std::string>(&r))
    FAIL(*err);
  return std::get<parsed_args>(r).config;
}

std::string error_of(const std::variant<parsed_args, std::string>& r) {
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

} // namespace

TEST_CASE("defaults serve localhost:8080 with data in ./data") {
  auto c = config_of(load({}));
  CHECK(c.grpc_listen == "localhost:8080");
  CHECK(c.data_dir == "./data");
  CHECK(c.log_format == "text");
}

TEST_CASE("file < environment < flags") {
  tt::tests::temp_dir dir;
  auto file = (dir.path() / "node.yaml").string();
  std::ofstream(file) << "grpc:\n  listen: 0.0.0.0:9000\n  max_message_bytes: 2048\n"
                         "log:\n  format: json\nnode:\n  id: from-file\n";
  auto c = config_of(load({"--config", file, "--node.id=from-flag"},
                          {"TT_GRPC_LISTEN=127.0.0.1:7000", "TT_NODE_ID=from-env", "OTHER=x"}));
  CHECK(c.grpc_listen == "127.0.0.1:7000"); // env beats file
  CHECK(c.node_id == "from-flag");          // flag beats env
  CHECK(c.grpc_max_message_bytes == 2048);  // file beats default
  CHECK(c.log_format == "json");
}

TEST_CASE("mistakes are reported with their source and never half-applied") {
  CHECK(error_of(load({"--grpc.lisen=x"})).find("unknown setting 'grpc.lisen'") !=
        std::string::npos);
  CHECK(error_of(load({"--grpc.max_message_bytes=12abc"})).find("not an integer") !=
        std::string::npos);
  CHECK(error_of(load({"--grpc.max_message_bytes=10"})).find("outside") != std::string::npos);
  CHECK(error_of(load({}, {"TT_LOG_LEVEL=loud"})).find("environment TT_LOG_LEVEL") !=
        std::string::npos);
  CHECK(error_of(load({"--config", "/nonexistent/tt.yaml"})).find("cannot read config file") !=
        std::string::npos);
  CHECK(error_of(load({"positional"})).find("unexpected argument") != std::string::npos);
  CHECK(error_of(load({"--node.id"})).find("needs a value") != std::string::npos);
}

TEST_CASE("unknown keys in the file are rejected, so typos do not pass silently") {
  tt::tests::temp_dir dir;
  auto file = (dir.path() / "node.yaml").string();
  std::ofstream(file) << "grpc:\n  listne: x\n";
  CHECK(error_of(load({"--config", file})).find("unknown setting 'grpc.listne'") !=
        std::string::npos);
}

TEST_CASE("--help asks for the reference, which lists every setting with its variable") {
  CHECK(std::get<parsed_args>(load({"--help"})).help);
  auto ref = config_reference();
  for (auto key : {"grpc.listen", "TT_GRPC_LISTEN", "storage.data_dir", "log.format"})
    CHECK(ref.find(key) != std::string::npos);
}

TEST_CASE("every setting key is listed, for UpdateConfig to say it needs a restart") {
  auto keys = setting_keys();
  CHECK(keys.count("reservation.hold_seconds") == 1);
  CHECK(keys.count("log.level") == 1);
  CHECK(keys.count("grpc.listen") == 1);
  CHECK(keys.count("catalog.event") == 0);
}
