// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/tracking_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tracktry::emulator {

std::string TrackingStore::Key(absl::string_view carrier_code,
                               absl::string_view tracking_number) {
  return absl::StrCat(carrier_code, "\n", tracking_number);
}

TrackingRecord* TrackingStore::Find(absl::string_view carrier_code,
                                    absl::string_view tracking_number) {
  auto it = records_.find(Key(carrier_code, tracking_number));
  return it == records_.end() ? nullptr : &it->second;
}

TrackingRecord* TrackingStore::Insert(TrackingRecord record) {
  std::string key = Key(record.carrier_code, record.tracking_number);
  auto [it, inserted] = records_.emplace(std::move(key), std::move(record));
  return inserted ? &it->second : nullptr;
}

bool TrackingStore::Erase(absl::string_view carrier_code,
                          absl::string_view tracking_number) {
  return records_.erase(Key(carrier_code, tracking_number)) > 0;
}

std::vector<const TrackingRecord*> TrackingStore::All() const {
  std::vector<const TrackingRecord*> out;
  out.reserve(records_.size());
  for (const auto& entry : records_) out.push_back(&entry.second);
  return out;
}

}  // namespace tracktry::emulator
