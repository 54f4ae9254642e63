#include "adapters/kafka/rdkafka_handles.hpp"

namespace tt::adapters::kafka {

std::variant<conf_handle, std::string> make_conf(const std::map<std::string, std::string>& props) {
  conf_handle conf{rd_kafka_conf_new()};
  char err[512];
  for (const auto& [key, value] : props)
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK)
      return "kafka property " + key + ": " + err;
  return conf;
}

std::variant<client_handle, std::string> make_client(rd_kafka_type_t type, conf_handle conf) {
  char err[512];
  // rd_kafka_new owns the configuration only when it succeeds.
  client_handle rk{rd_kafka_new(type, conf.get(), err, sizeof err)};
  if (!rk)
    return std::string{"kafka client: "} + err;
  conf.release();
  return rk;
}

} // namespace tt::adapters::kafka
