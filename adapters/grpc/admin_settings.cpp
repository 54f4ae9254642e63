// AdminService.UpdateConfig beyond the catalog: an event's waiting-room inlet (config_keys.hpp),
// stored with the event's definition and taken by its room at once; the node settings served at
// run time (runtime_settings.hpp: hold seconds, log level). Any other node setting is read at
// start and refused with what to do instead, an unknown key with the keys that are served.
#include <chrono>
#include <cstdint>
#include <string>

#include "adapters/grpc/admin_service_adapter.hpp"
#include "adapters/grpc/config_keys.hpp"
#include "adapters/grpc/proto_time.hpp"

namespace tt::adapters::rpc {

namespace {

constexpr const char* served_keys = "catalog.event, event.<event_id>.queue.admissions_per_second, "
                                    "event.<event_id>.queue.max_active, log.level, "
                                    "reservation.hold_seconds";

/// A count as UpdateConfig carries it: decimal digits only, no sign, fitting 32 bits.
std::optional<uint32_t> count_of(const std::string& text) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto value = std::stoull(text);
  if (value > UINT32_MAX)
    return std::nullopt;
  return static_cast<uint32_t>(value);
}

uint32_t value_of(const domain::waiting_room_settings& s, event_setting setting) {
  return setting == event_setting::admissions_per_second ? s.admissions_per_second : s.max_active;
}

} // namespace

void admin_service_adapter::serve_settings(std::shared_ptr<runtime_settings> settings) {
  settings_ = std::move(settings);
}

void admin_service_adapter::update_node_setting(std::shared_ptr<update_config_call> call) {
  const auto& r = call->request();
  settings_->change(r.config_key(), r.config_value(), [call](result<setting_changed> changed) {
    if (!changed) {
      call->fail(changed.error());
      return;
    }
    auto& resp = call->response();
    resp.set_updated(true);
    resp.set_old_value(changed->old_value);
    resp.set_new_value(changed->new_value);
    set_timestamp_now(resp.mutable_updated_at());
    call->reply();
  });
}

void admin_service_adapter::update_setting(std::shared_ptr<update_config_call> call) {
  const auto& r = call->request();
  if (settings_ && settings_->serves(r.config_key())) {
    update_node_setting(std::move(call));
    return;
  }
  auto key = parse_event_setting(r.config_key());
  if (!key) {
    if (start_settings_.count(r.config_key()) != 0)
      call->fail(fail(errc::failed_precondition,
                      r.config_key() +
                          " is read at start: change it in the config file, environment or "
                          "flags and restart the node; served at run time: " +
                          served_keys,
                      {{"config_key", "needs a restart", r.config_key()}}));
    else
      call->fail(fail(errc::invalid_argument,
                      "unknown config_key '" + r.config_key() + "'; supported: " + served_keys,
                      {{"config_key", "unknown key", r.config_key()}}));
    return;
  }
  auto value = count_of(r.config_value());
  if (!value) {
    call->fail(fail(errc::invalid_argument, "config_value must be a whole number (0: default)",
                    {{"config_value", "not a whole number", r.config_value().substr(0, 64)}}));
    return;
  }
  actors::room_settings_update update{key->event, {}};
  if (key->setting == event_setting::admissions_per_second)
    update.change.admissions_per_second = *value;
  else
    update.change.max_active = *value;
  bridge_.ask<actors::room_settings_updated>(
      std::move(call), region_,
      [setting = key->setting](update_config_call& c, const actors::room_settings_updated& done) {
        auto& resp = c.response();
        resp.set_updated(true);
        resp.set_old_value(std::to_string(value_of(done.before, setting)));
        resp.set_new_value(std::to_string(value_of(done.after, setting)));
        set_timestamp_now(resp.mutable_updated_at());
        c.reply();
      },
      std::move(update));
}

} // namespace tt::adapters::rpc
