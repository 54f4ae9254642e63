#pragma once
/// What a server stream keeps behind the message on the wire, under one of two policies.
/// Latest state wins (the default): one slot, a newer message replaces the unsent one, which
/// suits full states such as queue positions. Bounded queue (`bound(n)`): up to n messages kept in
/// order, none replaced, which suits changes a client must see every one of (reservation and
/// payment status); one more is refused, and the stream's owner then ends the stream instead of
/// growing memory or blocking the pusher. Not thread-safe: server_stream guards it.

#include <cstddef>
#include <list>
#include <optional>
#include <utility>

namespace tt::adapters::rpc {

template <class T>
class outgoing_buffer {
 public:
  /// Switches to the bounded queue of `capacity` (>= 1) messages.
  void bound(size_t capacity) {
    capacity_ = capacity < 1 ? 1 : capacity;
    replace_ = false;
  }

  /// Keeps `msg`; false (and nothing kept) when a bounded queue is full.
  bool add(T msg) {
    if (replace_)
      items_.clear();
    else if (items_.size() >= capacity_)
      return false;
    items_.push_back(std::move(msg));
    return true;
  }

  /// The oldest kept message, removed.
  std::optional<T> take() {
    if (items_.empty())
      return std::nullopt;
    std::optional<T> out{std::move(items_.front())};
    items_.pop_front();
    return out;
  }

  void clear() { items_.clear(); }
  size_t size() const noexcept { return items_.size(); }
  size_t capacity() const noexcept { return capacity_; }

 private:
  /// A list, not a deque: a deque allocates ~0.6 KiB on construction, and most streams never
  /// queue anything (ops/bench/stream_memory.py counts it in every open stream).
  std::list<T> items_;
  size_t capacity_ = 1;
  bool replace_ = true;
};

} // namespace tt::adapters::rpc
