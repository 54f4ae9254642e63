// The wire contract, row by row: every file, package, service, RPC (and its streaming kind),
// message, field (number, type, label, map types) and enum value of the published table must be
// exactly what the compiled descriptors say.

#include <doctest/doctest.h>

#include <google/protobuf/descriptor.pb.h>

#include "tests/proto/contract_table.hpp"

namespace {

using google::protobuf::DescriptorPool;
using tt::tests::contract_row;

std::vector<std::string> contract_files(const std::vector<contract_row>& table) {
  std::vector<std::string> files;
  for (const auto& r : table)
    if (r.kind == "file")
      files.push_back(r.owner);
  return files;
}

std::vector<contract_row> describe(const DescriptorPool& pool,
                                   const std::vector<std::string>& files) {
  std::vector<contract_row> rows;
  for (const auto& name : files) {
    const auto* f = pool.FindFileByName(name);
    if (f == nullptr)
      continue; // its rows then show up as missing
    auto part = tt::tests::describe_file(*f);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  return rows;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

} // namespace

TEST_CASE("the compiled contract matches every row of the published table") {
  MESSAGE("contract table: " TT_CONTRACT_TABLE);
  auto table = tt::tests::read_contract_table(TT_CONTRACT_TABLE);
  REQUIRE(table.size() == 1128);
  auto diffs = tt::tests::compare_tables(
      table, describe(*DescriptorPool::generated_pool(), contract_files(table)));
  INFO(joined(diffs));
  CHECK(diffs.empty());
}

TEST_CASE("a wrong field number is reported on one line naming the field (negative control)") {
  auto table = tt::tests::read_contract_table(TT_CONTRACT_TABLE);
  auto files = contract_files(table);
  // Rebuild the contract in a private pool from the compiled descriptors, with one field
  // renumbered.
  DescriptorPool pool;
  for (const auto* dep : {"google/protobuf/timestamp.proto"}) {
    google::protobuf::FileDescriptorProto p;
    const auto* compiled = DescriptorPool::generated_pool()->FindFileByName(dep);
    REQUIRE(compiled != nullptr);
    compiled->CopyTo(&p);
    REQUIRE(pool.BuildFile(p) != nullptr);
  }
  for (const auto& name : files) {
    google::protobuf::FileDescriptorProto p;
    const auto* compiled = DescriptorPool::generated_pool()->FindFileByName(name);
    REQUIRE_MESSAGE(compiled != nullptr, name);
    compiled->CopyTo(&p);
    if (name == "proto/reservation/v1/reservation.proto")
      for (auto& m : *p.mutable_message_type())
        if (m.name() == "CreateReservationRequest")
          m.mutable_field(2)->set_number(33); // quantity: 3 -> 33
    REQUIRE(pool.BuildFile(p) != nullptr);
  }
  auto diffs = tt::tests::compare_tables(table, describe(pool, files));
  REQUIRE(diffs.size() == 1);
  CHECK(diffs[0].find("reservation.v1.CreateReservationRequest.quantity") != std::string::npos);
  CHECK(diffs[0].find("33") != std::string::npos);
}

TEST_CASE("missing and unexpected rows are reported (negative control)") {
  std::vector<contract_row> expected{
      {"value", "common.v1.ErrorCode", "ERROR_CODE_TIMEOUT", "18", "", ""}};
  std::vector<contract_row> actual{
      {"value", "common.v1.ErrorCode", "ERROR_CODE_TIME_OUT", "18", "", ""}};
  auto diffs = tt::tests::compare_tables(expected, actual);
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0].rfind("missing:", 0) == 0);
  CHECK(diffs[1].rfind("unexpected:", 0) == 0);
}
