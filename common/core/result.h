// Result<T>: a value or an error, for failures that can happen (network,
// broker replies, bad input). Exceptions never cross module boundaries;
// states that cannot happen abort instead.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace ct {

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return check(std::get_if<0>(&v_)); }
  const T& value() const& { return check(std::get_if<0>(&v_)); }
  T&& value() && { return std::move(check(std::get_if<0>(&v_))); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return check(std::get_if<1>(&v_)); }

 private:
  template <typename P>
  static P& check(P* p) {
    if (p == nullptr) std::abort();  // wrong alternative: a programming error
    return *p;
  }
  std::variant<T, E> v_;
};

// For operations with no value.
struct Ok {};

}  // namespace ct
