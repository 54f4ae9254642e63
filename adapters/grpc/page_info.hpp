#pragma once
/// common.v1.PageInfo of a cursor-paged listing answer (anything with items, total and next).

#include <string>

#include "proto/common/v1/types.pb.h"

namespace tt::adapters::rpc {

template <class Answer>
void fill_page_info(const Answer& answer, const std::string& request_cursor,
                    common::v1::PageInfo* info) {
  info->set_total_count(answer.total);
  info->set_has_next_page(!answer.next.empty());
  info->set_next_cursor(answer.next);
  info->set_has_previous_page(!request_cursor.empty());
}

} // namespace tt::adapters::rpc
