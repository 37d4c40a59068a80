// Copyright 2026 The tracktry-grpc Authors.
//
// AdminApi: the emulator's control endpoints under /_emulator/ (no auth, no
// faults, no latency, not counted in API stats). JSON in and out; bad input
// -> HTTP 400 {"error": "..."}; unknown path -> 404; wrong method -> 405.
//
//   POST   /_emulator/reset    clear trackings, faults, stats, clock offset
//   GET    /_emulator/faults   {"rules":[rule + "applied","remaining"]}
//   PUT    /_emulator/faults   body {"rules":[...]} (or [...]) replaces rules
//   DELETE /_emulator/faults   clears rules
//   GET    /_emulator/stats    StatsSnapshot::ToJson() + "trackings"
//   GET    /_emulator/clock    {"now_unix","now","offset_seconds","time_scale"}
//   POST   /_emulator/clock    body {"advance_seconds": N}; returns the clock
//   GET    /_emulator/config   config without the key ("api_key_set")
//   PUT    /_emulator/config   partial update; returns GET's body
//   GET    /_emulator/health   {"status":"ok"}
//   POST   /_emulator/webhook/push  body
//   {"url","carrier_code","tracking_number",
//          "signed","email","time_offset_s"}: posts a webhook push (blocking,
//          5 s timeout); returns {"receiver_status": HTTP status}
// Thread-safe.
#ifndef TRACKTRY_EMULATOR_ADMIN_API_H_
#define TRACKTRY_EMULATOR_ADMIN_API_H_

#include "absl/strings/string_view.h"
#include "emulator/emulator_state.h"
#include "emulator/http_exchange.h"

namespace tracktry::emulator {

// Path prefix of the admin API.
inline constexpr absl::string_view kAdminPrefix = "/_emulator";

class AdminApi {
 public:
  // `state` is not owned and must outlive this object.
  explicit AdminApi(EmulatorState* state) : state_(state) {}

  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // True if `path` belongs to the admin API.
  static bool IsAdminPath(absl::string_view path);

  ResponsePlan Handle(const Request& request);

 private:
  EmulatorState* state_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_ADMIN_API_H_
