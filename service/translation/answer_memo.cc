// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/answer_memo.h"

namespace tracktry {

AnswerMemo::Form AnswerMemo::Find(int key) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [stored_key, form] : forms_) {
    if (stored_key == key) return form;
  }
  return nullptr;
}

AnswerMemo::Form AnswerMemo::Insert(int key, std::string value) {
  // Allocated outside the lock; dropped again if another thread won.
  Form form = std::make_shared<const std::string>(std::move(value));
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [stored_key, stored] : forms_) {
    if (stored_key == key) return stored;
  }
  forms_.emplace_back(key, form);
  return form;
}

size_t AnswerMemo::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t total = 0;
  for (const auto& [key, form] : forms_) total += form->size();
  return total;
}

}  // namespace tracktry
