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

std::variant<std::vector<int32_t>, std::string>
partitions_of(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  std::unique_ptr<rd_kafka_topic_t, topic_deleter> handle{
      rd_kafka_topic_new(rk, topic.c_str(), nullptr)};
  const rd_kafka_metadata_t* meta = nullptr;
  if (auto err = rd_kafka_metadata(rk, 0, handle.get(), &meta, timeout_ms))
    return "metadata of " + topic + ": " + rd_kafka_err2str(err);
  std::vector<int32_t> out;
  for (int t = 0; t < meta->topic_cnt; ++t)
    if (meta->topics[t].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      for (int p = 0; p < meta->topics[t].partition_cnt; ++p)
        out.push_back(meta->topics[t].partitions[p].id);
  rd_kafka_metadata_destroy(meta);
  if (out.empty())
    return "topic " + topic + " has no partitions";
  return out;
}

} // namespace tt::adapters::kafka
