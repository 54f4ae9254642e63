#include "tests/proto/contract_table.hpp"

#include <fstream>

#include <google/protobuf/descriptor.pb.h>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tt::tests {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

std::string type_name(const FieldDescriptor& f) {
  switch (f.type()) {
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      return f.message_type()->full_name();
    case FieldDescriptor::TYPE_ENUM:
      return f.enum_type()->full_name();
    default:
      return f.type_name(); // "string", "int32", ... as written in .proto
  }
}

std::string field_type(const FieldDescriptor& f) {
  if (f.is_map())
    return "map<" + type_name(*f.message_type()->map_key()) + "," +
           type_name(*f.message_type()->map_value()) + ">";
  if (f.is_repeated())
    return "repeated " + type_name(f);
  if (f.has_optional_keyword())
    return "optional " + type_name(f);
  return type_name(f);
}

void describe_enum(const EnumDescriptor& e, const std::string& file,
                   std::vector<contract_row>& out) {
  out.push_back({"enum", e.full_name(), "", "", "", file});
  for (int i = 0; i < e.value_count(); ++i)
    out.push_back(
        {"value", e.full_name(), e.value(i)->name(), std::to_string(e.value(i)->number()), "", ""});
}

void describe_message(const Descriptor& m, const std::string& file,
                      std::vector<contract_row>& out) {
  if (m.options().map_entry())
    return; // map<K,V> is described on the field, as the table does
  out.push_back({"message", m.full_name(), "", "", "", file});
  for (int i = 0; i < m.field_count(); ++i) {
    const auto& f = *m.field(i);
    out.push_back(
        {"field", m.full_name(), f.name(), std::to_string(f.number()), field_type(f), ""});
  }
  for (int i = 0; i < m.nested_type_count(); ++i)
    describe_message(*m.nested_type(i), file, out);
  for (int i = 0; i < m.enum_type_count(); ++i)
    describe_enum(*m.enum_type(i), file, out);
}

} // namespace

std::string contract_row::text() const {
  return kind + "\t" + owner + "\t" + member + "\t" + number + "\t" + type + "\t" +
         file_or_streaming;
}

std::vector<contract_row> read_contract_table(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read contract table " + path);
  std::vector<contract_row> rows;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t'))
      cols.push_back(col);
    cols.resize(6);
    rows.push_back({cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]});
  }
  return rows;
}

std::vector<contract_row> describe_file(const google::protobuf::FileDescriptor& file) {
  std::vector<contract_row> out;
  out.push_back({"file", file.name(), file.package(), "", "", ""});
  for (int i = 0; i < file.message_type_count(); ++i)
    describe_message(*file.message_type(i), file.name(), out);
  for (int i = 0; i < file.enum_type_count(); ++i)
    describe_enum(*file.enum_type(i), file.name(), out);
  for (int i = 0; i < file.service_count(); ++i) {
    const auto& s = *file.service(i);
    out.push_back({"service", s.full_name(), "", "", "", file.name()});
    for (int j = 0; j < s.method_count(); ++j) {
      const auto& m = *s.method(j);
      std::string kind = m.client_streaming()
                             ? (m.server_streaming() ? "bidi_streaming" : "client_streaming")
                             : (m.server_streaming() ? "server_streaming" : "unary");
      out.push_back({"rpc", s.full_name(), m.name(), "",
                     m.input_type()->full_name() + " -> " + m.output_type()->full_name(), kind});
    }
  }
  return out;
}

std::vector<std::string> compare_tables(const std::vector<contract_row>& expected,
                                        const std::vector<contract_row>& actual) {
  std::map<std::string, const contract_row*> got;
  for (const auto& r : actual)
    got.emplace(r.key(), &r);
  std::vector<std::string> diffs;
  std::map<std::string, bool> seen;
  for (const auto& want : expected) {
    seen[want.key()] = true;
    auto it = got.find(want.key());
    if (it == got.end()) {
      diffs.push_back("missing:    " + want.text());
      continue;
    }
    const auto& have = *it->second;
    if (have.number != want.number || have.type != want.type ||
        have.file_or_streaming != want.file_or_streaming || have.member != want.member)
      diffs.push_back("different:  " + want.key() + ": contract says [" + want.text() +
                      "], build has [" + have.text() + "]");
  }
  for (const auto& r : actual)
    if (!seen.count(r.key()))
      diffs.push_back("unexpected: " + r.text());
  return diffs;
}

} // namespace tt::tests
