#pragma once
/// What every consumer-group member of the node shares (the worker, the webhook sender): how it
/// joins its group and subscribes, and how it commits the offsets an offset_tracker released.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/kafka/offset_tracker.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"

namespace tt::adapters::kafka {

/// A consumer in group `group_id` that has not subscribed yet: committing manually (only what
/// is done), reading a new group's partitions from the beginning. Without a subscription it
/// reads the partitions it is assigned (a clustered worker: those of the shards it serves) and
/// commits under the group's id.
std::variant<client_handle, std::string> group_client(const kafka_settings& settings,
                                                      const std::string& client_id,
                                                      const std::string& group_id);

/// A group_client subscribed to `topics`, committing manually (only what is
/// done), reading a new group's partitions from the beginning.
std::variant<client_handle, std::string> join_group(const kafka_settings& settings,
                                                    const std::string& client_id,
                                                    const std::string& group_id,
                                                    const std::vector<std::string>& topics);

/// async: returns at once (the periodic commits); sync: returns once the broker answered (the
/// last commit before the consumer leaves).
enum class commit_mode : uint8_t { async, sync };
/// Commits `commits` (from offset_tracker::take_commits).
void commit_offsets(rd_kafka_t* consumer,
                    const std::vector<std::pair<partition_key, int64_t>>& commits,
                    commit_mode mode);

} // namespace tt::adapters::kafka
