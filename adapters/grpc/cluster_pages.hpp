#pragma once
/// A user's listing over the whole cluster (ListReservations and ListPayments without an event):
/// a user's items live with their events, on every node. The node reached answers its own page,
/// asks every peer for the same request (marked forwarded, so each answers only its own page),
/// and merges. The order (created_at desc, id desc, actors/runtime/list_pages.hpp) is the same on
/// every node and a cursor is a position in it, so each node's page after the cursor holds every
/// item of the merged page it has: the merged page is the first page_size items of the union.

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "actors/runtime/list_pages.hpp"
#include "adapters/grpc/peer_fanout.hpp"

namespace tt::adapters::rpc {

/// The list position of a contract message with `created_at` (ms, as the actors page).
inline actors::list_position position_of(const google::protobuf::Timestamp& created,
                                         const std::string& id) {
  return {created.seconds() * 1000 + created.nanos() / 1'000'000, id};
}

/// Completes `call`, whose response holds this node's page (items and page_info), with every
/// peer's page of the same request, then replies; UNAVAILABLE with a retry hint when a peer does
/// not answer (the page could miss items). `items_of(response)` is the repeated field of items;
/// `position(item)` its list position.
template <class Call, class ItemsOf, class Position>
void merge_peer_pages(peer_fanout& peers, std::shared_ptr<Call> call, const char* method_path,
                      int32_t page_size, ItemsOf items_of, Position position) {
  using response_type = std::decay_t<decltype(call->response())>;
  ask_every_peer(
      peers, method_path, call,
      [call, page_size, items_of, position](std::vector<peer_answer> answers) {
        auto& resp = call->response();
        auto* items = items_of(resp);
        int64_t total = resp.page_info().total_count();
        bool more = resp.page_info().has_next_page();
        for (auto& a : answers) {
          response_type theirs;
          if (!a.status.ok() ||
              !grpc::SerializationTraits<response_type>::Deserialize(&a.response, &theirs).ok()) {
            call->fail(peer_missing(a.address, "the listing could miss items"));
            return;
          }
          total += theirs.page_info().total_count();
          more = more || theirs.page_info().has_next_page();
          for (auto& item : *items_of(theirs))
            *items->Add() = std::move(item);
        }
        std::sort(items->begin(), items->end(), [&position](const auto& a, const auto& b) {
          return position(a).before(position(b));
        });
        if (items->size() > page_size) {
          more = true;
          items->DeleteSubrange(page_size, items->size() - page_size);
        }
        auto* info = resp.mutable_page_info();
        info->set_total_count(
            static_cast<int32_t>(std::min<int64_t>(total, std::numeric_limits<int32_t>::max())));
        more = more && !items->empty();
        info->set_has_next_page(more);
        info->set_next_cursor(more ? position(*items->rbegin()).cursor() : std::string{});
        call->reply();
      });
}

} // namespace tt::adapters::rpc
