// Result<T>: a value or an Error, returned where a caller must handle failure.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace mediasec {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something out of range or malformed
  kNotFound,         // no such slot, file, backend
  kUnavailable,      // the backend cannot be opened here (no card, no model)
  kBusy,             // try again later (queue full, command in progress)
  kDeviceError,      // the device reported a fault or timed out
  kUnimplemented,    // the backend does not do this yet
  kInternal,         // a bug: an invariant did not hold
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// E is the error type: Error by default; a protocol layer may carry its own (an H.248 error code
// with the position of the fault, for example).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<E>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_{};
  bool ok_ = true;
};

inline Result<void> ok_result() { return Result<void>(); }

}  // namespace mediasec
