// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingStore: the emulator's "account" — stored trackings keyed by
// (carrier_code, tracking_number). Not thread-safe: the owner (TracktryApi)
// serializes access. Pointers returned stay valid until the record is erased
// or the store is cleared.
#ifndef TRACKTRY_EMULATOR_TRACKING_STORE_H_
#define TRACKTRY_EMULATOR_TRACKING_STORE_H_

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/string_view.h"
#include "emulator/tracking_record.h"

namespace tracktry::emulator {

class TrackingStore {
 public:
  TrackingStore() = default;
  TrackingStore(const TrackingStore&) = delete;
  TrackingStore& operator=(const TrackingStore&) = delete;

  // The record or nullptr.
  TrackingRecord* Find(absl::string_view carrier_code,
                       absl::string_view tracking_number);

  // Inserts `record`; returns nullptr if the key already exists.
  TrackingRecord* Insert(TrackingRecord record);

  // Removes the record; false if it did not exist.
  bool Erase(absl::string_view carrier_code, absl::string_view tracking_number);

  // All records in unspecified order.
  std::vector<const TrackingRecord*> All() const;

  void Clear() { records_.clear(); }
  size_t size() const { return records_.size(); }

 private:
  static std::string Key(absl::string_view carrier_code,
                         absl::string_view tracking_number);

  std::unordered_map<std::string, TrackingRecord> records_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TRACKING_STORE_H_
