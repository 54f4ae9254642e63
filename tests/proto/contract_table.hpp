#pragma once
/// The wire contract as a table (kind, owner, member, number, type, file_or_streaming), read from
/// the published TSV or produced from compiled protobuf descriptors, and the comparison of two
/// tables that reports one line per row that differs.

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace tt::tests {

struct contract_row {
  std::string kind, owner, member, number, type, file_or_streaming;
  /// Identity of a row: kind + owner + member (a field is identified by its message and name; a
  /// file by its path alone, its package being what is compared).
  std::string key() const {
    return kind + " " + owner + (kind == "file" || member.empty() ? "" : "." + member);
  }
  std::string text() const;
};

/// Reads the TSV (first line is the header). Throws std::runtime_error if unreadable.
std::vector<contract_row> read_contract_table(const std::string& path);

/// Rows for one compiled .proto file, in the table's conventions.
std::vector<contract_row> describe_file(const google::protobuf::FileDescriptor& file);

/// One human-readable line per differing row: a row missing from `actual`, a row only in
/// `actual`, or the same row with another number, type or file/streaming kind.
std::vector<std::string> compare_tables(const std::vector<contract_row>& expected,
                                        const std::vector<contract_row>& actual);

} // namespace tt::tests
