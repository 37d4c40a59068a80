// Copyright 2026 The tracktry-grpc Authors.
//
// The result of POST /trackings/batch, as translated by BatchOutcomeFromData.
#ifndef TRACKTRY_SERVICE_TRANSLATION_BATCH_OUTCOME_H_
#define TRACKTRY_SERVICE_TRANSLATION_BATCH_OUTCOME_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// One rejected item of a batch (an element of data.errors).
struct BatchItemError {
  // Tracking number of the rejected item; "" when the upstream omitted it.
  std::string tracking_number;
  // Carrier code of the rejected item; "" when omitted.
  std::string carrier_code;
  // The item's upstream meta code, such as 4016 (already exists); 0 if none.
  int code = 0;
  // The upstream message for the item.
  std::string message;
};

// What the upstream did with a batch.
struct BatchOutcome {
  // Items the upstream says it received (`submitted`).
  int64_t submitted = 0;
  // Items the upstream says it created (`added`).
  int64_t added = 0;
  // The created trackings (short form), in upstream order.
  std::vector<tracktry::v1::Tracking> created;
  // The rejected items, in upstream order.
  std::vector<BatchItemError> errors;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_BATCH_OUTCOME_H_
