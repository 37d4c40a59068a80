// Copyright 2026 The tracktry-grpc Authors.
//
// ApiPipeline: turns one Tracktry API request into a ResponsePlan.
//
// Order of processing:
//   1. route match: unknown path -> HTTP 404 + meta 404; known path with the
//      wrong method -> HTTP 405 + meta 405 (+ Allow). Counted, no faults.
//   2. stats: requests_total / requests_by_route.
//   3. fault selection (FaultInjector). Kinds that replace the answer
//      (http_error, meta_error, malformed_json, wrong_shape, oversize, drop,
//      hang) answer now: the handler does not run and state is unchanged.
//   4. API key check -> meta 4001 (HTTP 200). The key is never echoed.
//   5. rate limiter -> meta 429 (HTTP 200, or 429 + Retry-After if so
//      configured).
//   6. the TracktryApi handler; skipped under drop_after_request.
//   7. pass-through faults reshape the real answer: truncated_json (body cut
//      in half, Content-Length of the cut body), reset_mid_body, trickle;
//      drop_after_request and store_then_drop (reused connections only)
//      close the connection without any answer (not counted as a response).
// Every plan is delayed by config latency_ms plus the applied rules'
// latency_ms. Thread-safe.
#ifndef TRACKTRY_EMULATOR_API_PIPELINE_H_
#define TRACKTRY_EMULATOR_API_PIPELINE_H_

#include "emulator/emulator_state.h"
#include "emulator/http_exchange.h"

namespace tracktry::emulator {

class ApiPipeline {
 public:
  // `state` is not owned and must outlive the pipeline.
  explicit ApiPipeline(EmulatorState* state) : state_(state) {}

  ApiPipeline(const ApiPipeline&) = delete;
  ApiPipeline& operator=(const ApiPipeline&) = delete;

  ResponsePlan Dispatch(const Request& request);

 private:
  // Builds the answer of a replacing fault (step 3).
  ResponsePlan FaultAnswer(const FaultRule& rule);

  EmulatorState* state_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_API_PIPELINE_H_
