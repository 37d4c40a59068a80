// Copyright 2026 The tracktry-grpc Authors.
//
// One page of GET /trackings/get, as translated by ListPageFromData.
#ifndef TRACKTRY_SERVICE_TRANSLATION_LIST_PAGE_H_
#define TRACKTRY_SERVICE_TRANSLATION_LIST_PAGE_H_

#include <cstdint>
#include <vector>

#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// A page of trackings. Counters are as the upstream reported them (0 when
// absent or unparseable), except `count`, which falls back to items.size().
struct ListPage {
  // 1-based page number (`page`).
  int64_t page = 0;
  // Page size (`limit`).
  int64_t limit = 0;
  // Total matching trackings (`total`, sent as a string upstream).
  int64_t total = 0;
  // Number of items on this page (`count`).
  int64_t count = 0;
  // The trackings of this page, in upstream order.
  std::vector<tracktry::v1::Tracking> items;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_LIST_PAGE_H_
