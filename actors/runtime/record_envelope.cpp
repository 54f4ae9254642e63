#include "actors/runtime/record_envelope.hpp"

namespace tt::actors {

std::string envelope(const char* type, const google::protobuf::Message& state) {
  tt::internal::v1::SnapshotEnvelope e;
  e.set_format_version(snapshot_format_version);
  e.set_entity_type(type);
  e.mutable_state()->PackFrom(state);
  return e.SerializeAsString();
}

} // namespace tt::actors
