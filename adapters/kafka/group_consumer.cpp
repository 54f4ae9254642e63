#include "adapters/kafka/group_consumer.hpp"

#include <spdlog/spdlog.h>

namespace tt::adapters::kafka {

std::variant<client_handle, std::string> group_client(const kafka_settings& settings,
                                                      const std::string& client_id,
                                                      const std::string& group_id) {
  auto conf = make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", client_id},
      {"group.id", group_id},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      // The mock broker gives a group its partitions only with these (see BUILD-NOTES.md).
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
      // The mock broker answers a fetch only when this runs out (it does not wake on new data):
      // keep it short, or every event waits up to the default 500 ms.
      {"fetch.wait.max.ms", "10"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return *err;
  auto client = make_client(RD_KAFKA_CONSUMER, std::move(std::get<conf_handle>(conf)));
  if (auto* err = std::get_if<std::string>(&client))
    return *err;
  rd_kafka_poll_set_consumer(std::get<client_handle>(client).get());
  return client;
}

std::variant<client_handle, std::string> join_group(const kafka_settings& settings,
                                                    const std::string& client_id,
                                                    const std::string& group_id,
                                                    const std::vector<std::string>& topics) {
  auto client = group_client(settings, client_id, group_id);
  if (auto* err = std::get_if<std::string>(&client))
    return *err;
  auto& rk = std::get<client_handle>(client);
  partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()))};
  for (const auto& t : topics)
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  auto err = rd_kafka_subscribe(rk.get(), list.get());
  if (err)
    return std::string{"kafka: subscribe: "} + rd_kafka_err2str(err);
  return std::move(rk);
}

void commit_offsets(rd_kafka_t* consumer,
                    const std::vector<std::pair<partition_key, int64_t>>& commits,
                    commit_mode mode) {
  if (commits.empty())
    return;
  partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(commits.size()))};
  for (const auto& [where, offset] : commits)
    rd_kafka_topic_partition_list_add(list.get(), where.topic.c_str(), where.partition)->offset =
        offset;
  if (auto err = rd_kafka_commit(consumer, list.get(), mode == commit_mode::sync ? 0 : 1))
    spdlog::warn("kafka: offset commit: {}", rd_kafka_err2str(err));
}

} // namespace tt::adapters::kafka
