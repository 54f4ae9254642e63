#pragma once
/// `result<T>`: either a value or a tt::failure. Domain functions return it for every expected
/// rejection instead of throwing. Reading value() of a failed result (or error() of a successful
/// one) is a programming error, not an expected failure.

#include <type_traits>
#include <utility>
#include <variant>

#include "actors/common/failure.hpp"

namespace tt {

template <class T>
class result {
 public:
  static_assert(!std::is_same_v<T, failure>, "result<failure> is ambiguous");

  result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  result(failure error) : data_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const failure& error() const& { return std::get<1>(data_); }
  failure&& error() && { return std::get<1>(std::move(data_)); }

 private:
  std::variant<T, failure> data_;
};

/// Success carries no value: default-constructed means "ok".
template <>
class result<void> {
 public:
  result() = default;
  result(failure error) : error_(std::move(error)), ok_(false) {}

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  const failure& error() const& { return error_; }
  failure&& error() && { return std::move(error_); }

 private:
  failure error_;
  bool ok_ = true;
};

} // namespace tt
