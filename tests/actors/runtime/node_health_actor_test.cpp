#include <doctest/doctest.h>

#include <filesystem>

#include "actors/runtime/node_health_actor.hpp"
#include "storage/data_directory.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::actors;

namespace {

// The health actor is detached (its probe blocks on fsync), so it is driven by a real actor
// system and a scoped_actor rather than the deterministic test coordinator.
struct fixture {
  fixture() : sys(cfg.add_message_types<caf::id_block::tt>()) {
    auto opened = tt::storage::data_directory::open(tmp.path() / "data");
    dir = std::move(std::get<0>(opened));
    health =
        spawn_node_health(sys, {"node-7", "9.9.9", std::chrono::steady_clock::now(), {}}, *dir);
  }
  ~fixture() { caf::anon_send_exit(health, caf::exit_reason::user_shutdown); }

  health_report ask() {
    caf::scoped_actor self{sys};
    health_report out;
    self->request(health, caf::infinite, get_health_atom_v)
        .receive([&](const health_report& r) { out = r; },
                 [&](const caf::error& e) { FAIL(caf::to_string(e)); });
    return out;
  }

  tt::tests::temp_dir tmp;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::unique_ptr<tt::storage::data_directory> dir;
  node_health_actor health;
};

const component_health& component(const health_report& r, const std::string& name) {
  for (const auto& c : r.components)
    if (c.name == name)
      return c;
  FAIL("no component " << name);
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE_FIXTURE(fixture, "a healthy node reports its actor system and its storage") {
  auto r = ask();
  CHECK(r.node_id == "node-7");
  CHECK(r.version == "9.9.9");
  CHECK(r.overall() == health_status::healthy);
  CHECK(component(r, "actor_system").kind == component_kind::internal);
  CHECK(std::stoi(component(r, "actor_system").metrics.at("running_actors")) >= 1);
  const auto& storage = component(r, "storage");
  CHECK(storage.kind == component_kind::dependency);
  CHECK(storage.endpoint == dir->path().string());
  CHECK(storage.problem.empty());
}

TEST_CASE_FIXTURE(fixture, "losing the data directory makes storage and the node unhealthy") {
  std::filesystem::remove_all(dir->path());
  auto r = ask();
  CHECK(r.overall() == health_status::unhealthy);
  CHECK(component(r, "storage").status == health_status::unhealthy);
  CHECK_FALSE(component(r, "storage").problem.empty());
  CHECK(component(r, "actor_system").status == health_status::healthy);
}

TEST_CASE("overall status is the worst component, and nothing known is unhealthy") {
  health_report r;
  CHECK(r.overall() == health_status::unhealthy);
  r.components.push_back({"a", component_kind::internal, health_status::healthy, "", "", 0, {}});
  CHECK(r.overall() == health_status::healthy);
  r.components.push_back({"b", component_kind::dependency, health_status::degraded, "", "", 0, {}});
  CHECK(r.overall() == health_status::degraded);
}
