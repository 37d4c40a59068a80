// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryApi: the emulated account state and the Tracktry route handlers.
// Socket-free: a matched route plus a Request in, status/body out, so it is
// unit-testable directly. Authentication, rate limiting and fault injection
// are the caller's (ApiPipeline's) job. Thread-safe (one internal mutex).
//
// Every answer is Tracktry's envelope {"meta":{code,type,message},"data"}.
// Errors are reported in meta.code with HTTP 200, as the real API does:
//   4012 malformed parameters, 4013 tracking_number missing, 4014 invalid
//   tracking_number, 4015 invalid carrier_code or body not JSON (create,
//   batch, realtime, PUT), 4016 already exists, 4017 does not exist, 4020
//   more than 40 items, 4031 empty list, 4032 carrier not detectable, 4033
//   invalid status.
#ifndef TRACKTRY_EMULATOR_TRACKTRY_API_H_
#define TRACKTRY_EMULATOR_TRACKTRY_API_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/carrier_catalog.h"
#include "emulator/emulated_clock.h"
#include "emulator/envelope.h"
#include "emulator/http_exchange.h"
#include "emulator/route_table.h"
#include "emulator/tracking_generator.h"
#include "emulator/tracking_store.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {

// Largest batch / numbers / orders list accepted.
inline constexpr size_t kMaxBatchItems = 40;
// Largest page size of GET /trackings/get.
inline constexpr int kMaxListLimit = 2000;

struct ApiResult {
  int http_status = 200;
  // meta.code of the envelope in `body`.
  int meta_code = 200;
  std::string body;
};

class TracktryApi {
 public:
  // `clock` is not owned and must outlive this object.
  TracktryApi(uint64_t seed, const EmulatedClock* clock);

  TracktryApi(const TracktryApi&) = delete;
  TracktryApi& operator=(const TracktryApi&) = delete;

  // Answers `request` for the matched route (match.error must be 0).
  // `quirks` enables the per-tracking shape quirks.
  ApiResult Handle(const RouteMatch& match, const Request& request,
                   bool quirks);

  // Deletes every stored tracking.
  void Reset();

  size_t tracking_count() const;

  const TrackingGenerator& generator() const { return generator_; }

 private:
  struct Validated {
    int code = 0;  // 0 = valid
    std::string number;
    std::string carrier;
  };

  ApiResult Create(const Request& request);
  ApiResult Get(const RouteMatch& match, bool quirks);
  ApiResult Update(const RouteMatch& match, const Request& request,
                   bool quirks);
  ApiResult Delete(const RouteMatch& match);
  ApiResult Batch(const Request& request, bool quirks);
  ApiResult List(const Request& request, bool quirks);
  ApiResult Realtime(const Request& request);
  ApiResult Carriers();
  ApiResult Detect(const Request& request);
  ApiResult UpdateCarrier(const Request& request);
  ApiResult UserInfo();
  ApiResult StatusNumber(const Request& request);
  ApiResult NotUpdate(const Request& request);
  ApiResult Remote(const Request& request);
  ApiResult CostTime(const Request& request);
  ApiResult BatchDelete(const Request& request);
  ApiResult UpdateMore(const Request& request);

  // Checks tracking_number / carrier_code of a create-like object (with
  // carrier auto-detection when carrier_code is empty).
  Validated ValidateCreate(const nlohmann::json& item) const;
  // Builds a record (not stored) from a validated create object.
  TrackingRecord NewRecord(const Validated& valid, const nlohmann::json& item,
                           int64_t now) const;
  // Applies PUT fields to `record`; returns 0 or an error meta.code. Nothing
  // is changed on error.
  int ApplyUpdate(const nlohmann::json& body, int64_t now,
                  TrackingRecord* record) const;

  const EmulatedClock* clock_;
  const CarrierCatalog& catalog_;
  TrackingGenerator generator_;
  const std::string carriers_body_;

  mutable std::mutex mu_;
  TrackingStore store_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TRACKTRY_API_H_
