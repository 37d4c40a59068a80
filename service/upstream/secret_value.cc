// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/secret_value.h"

#include <utility>

namespace tracktry {

SecretValue::SecretValue(std::string initial) {
  values_.push_back(std::make_unique<const std::string>(std::move(initial)));
  current_.store(values_.back().get(), std::memory_order_release);
}

bool SecretValue::Set(const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string* current = current_.load(std::memory_order_relaxed);
  if (*current == value) return false;
  for (const auto& known : values_) {
    if (*known == value) {
      current_.store(known.get(), std::memory_order_release);
      return true;
    }
  }
  values_.push_back(std::make_unique<const std::string>(value));
  current_.store(values_.back().get(), std::memory_order_release);
  return true;
}

size_t SecretValue::distinct_values() const {
  std::lock_guard<std::mutex> lock(mu_);
  return values_.size();
}

}  // namespace tracktry
