// Copyright 2026 The tracktry-grpc Authors.
//
// SecretValue: a string that is read on every request and replaced rarely
// (the upstream API key, updated when its Secret file changes). Get() is
// one atomic load: no lock and no reference count on the hot path.
//
// Every value ever set is kept until the holder is destroyed, so a
// reference returned by Get() never dangles. Setting a value seen before
// reuses its copy, so memory grows with the number of distinct values
// (rotations), not with the number of changes.
#ifndef TRACKTRY_SERVICE_UPSTREAM_SECRET_VALUE_H_
#define TRACKTRY_SERVICE_UPSTREAM_SECRET_VALUE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tracktry {

// Thread-safe.
class SecretValue {
 public:
  explicit SecretValue(std::string initial);
  SecretValue(const SecretValue&) = delete;
  SecretValue& operator=(const SecretValue&) = delete;

  // The current value; valid for the holder's lifetime.
  const std::string& Get() const {
    return *current_.load(std::memory_order_acquire);
  }

  // Makes `value` current. False if it already was.
  bool Set(const std::string& value);

  // Distinct values set so far (the initial one included).
  size_t distinct_values() const;

 private:
  mutable std::mutex mu_;  // Guards values_ and serializes Set().
  std::vector<std::unique_ptr<const std::string>> values_;
  std::atomic<const std::string*> current_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_SECRET_VALUE_H_
