// Copyright 2026 The tracktry-grpc Authors.
//
// Open-loop gRPC load for the rate-shaping tests: GetTracking of a new
// tracking number (bypassing any cache) every 1/rps, each with a deadline,
// recording every outcome and when the calls the upstream answered came
// back. Header-only, shared by the tests in tests/upstream/.
#ifndef TRACKTRY_TESTS_TESTING_GRPC_LOAD_H_
#define TRACKTRY_TESTS_TESTING_GRPC_LOAD_H_

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "grpcpp/grpcpp.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::testing {

inline std::string GrpcReason(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info.has_value() ? info->reason() : "";
}

struct LoadResult {
  std::map<grpc::StatusCode, int> codes;
  std::map<std::string, int> reasons;
  // Completion times of calls the upstream answered (OK or NOT_FOUND).
  std::vector<absl::Time> upstream_answers;
  int sent = 0;

  int Count(grpc::StatusCode code) const {
    auto it = codes.find(code);
    return it == codes.end() ? 0 : it->second;
  }
  int Count(const std::string& reason) const {
    auto it = reasons.find(reason);
    return it == reasons.end() ? 0 : it->second;
  }
  // Rate of upstream answers from the first to the last (per second).
  double UpstreamRate() const { return RateOf(upstream_answers); }
  static double RateOf(const std::vector<absl::Time>& times) {
    if (times.size() < 2) return 0;
    const absl::Duration span = times.back() - times.front();
    return (times.size() - 1) / absl::ToDoubleSeconds(span);
  }
  std::string Summary() const {
    std::string text = absl::StrCat("sent ", sent, ", upstream answers ",
                                    upstream_answers.size(), ", rate ",
                                    UpstreamRate(), "/s; codes:");
    for (const auto& [code, n] : codes) {
      absl::StrAppend(&text, " ", code, "=", n);
    }
    absl::StrAppend(&text, "; reasons:");
    for (const auto& [reason, n] : reasons) {
      absl::StrAppend(&text, " ", reason.empty() ? "-" : reason, "=", n);
    }
    return text;
  }
};

// Sends for `duration`, then waits for every call. Tracking numbers are
// "<prefix><n>" so that concurrent loads do not share numbers.
inline LoadResult DriveLoad(v1::TrackingService::Stub* stub, double rps,
                            absl::Duration duration, absl::Duration deadline,
                            const std::string& prefix = "RS") {
  struct Call {
    grpc::ClientContext context;
    v1::GetTrackingRequest request;
    v1::GetTrackingResponse response;
  };
  LoadResult result;
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  const absl::Time start = absl::Now();
  const absl::Duration interval = absl::Seconds(1.0 / rps);
  for (int i = 0; i * interval < duration; ++i) {
    absl::SleepFor(start + i * interval - absl::Now());
    auto* call = new Call;
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    call->request.set_carrier_code("dhl");
    call->request.set_tracking_number(absl::StrCat(prefix, 100000000 + i));
    call->request.set_bypass_cache(true);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++outstanding;
      ++result.sent;
    }
    stub->async()->GetTracking(
        &call->context, &call->request, &call->response,
        [call, &mu, &cv, &outstanding, &result](grpc::Status status) {
          const std::string reason = status.ok() ? "" : GrpcReason(status);
          const absl::Time now = absl::Now();
          std::lock_guard<std::mutex> lock(mu);
          ++result.codes[status.error_code()];
          ++result.reasons[reason];
          if (status.ok() ||
              status.error_code() == grpc::StatusCode::NOT_FOUND) {
            result.upstream_answers.push_back(now);
          }
          delete call;
          if (--outstanding == 0) cv.notify_all();
        });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return outstanding == 0; });
  std::sort(result.upstream_answers.begin(), result.upstream_answers.end());
  return result;
}

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_GRPC_LOAD_H_
