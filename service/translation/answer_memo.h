// Copyright 2026 The tracktry-grpc Authors.
//
// AnswerMemo: forms derived from one upstream answer, each computed at most
// once and then shared. An Envelope carries one (Envelope::memo), and its
// copies share it: the cache's entry, the waiters of a coalesced read and
// every read answered from the cache see the same memo, so the serialized
// GetTracking answer of a cached tracking is built once per upstream answer
// instead of once per read (bench/RESULTS.md).
//
// What the forms are is up to their users (the API layer names them by
// small integer keys; see service/tracktry_api/tracking_operations.cc); the
// memo only stores bytes.
#ifndef TRACKTRY_SERVICE_TRANSLATION_ANSWER_MEMO_H_
#define TRACKTRY_SERVICE_TRANSLATION_ANSWER_MEMO_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"

namespace tracktry {

// Thread-safe.
class AnswerMemo {
 public:
  using Form = std::shared_ptr<const std::string>;

  AnswerMemo() = default;
  AnswerMemo(const AnswerMemo&) = delete;
  AnswerMemo& operator=(const AnswerMemo&) = delete;

  // The form stored under `key`, or null.
  Form Find(int key) const;

  // Stores `value` under `key` unless a form is stored there already (a
  // concurrent computation of the same form got there first); returns the
  // stored form, which every caller then shares.
  Form Insert(int key, std::string value);

  // Bytes of the stored forms.
  size_t bytes() const;

 private:
  mutable std::mutex mu_;
  // Few forms per answer (one per view), so a short vector.
  absl::InlinedVector<std::pair<int, Form>, 2> forms_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_ANSWER_MEMO_H_
