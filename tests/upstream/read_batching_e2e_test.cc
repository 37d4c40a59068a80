// Copyright 2026 The tracktry-grpc Authors.
//
// Read batching end to end (gRPC client -> server -> libcurl -> emulator),
// the server shaped as shipped (1 req/s per class) and the emulator
// enforcing 1 req/s with HTTP 429 beyond: 40 concurrent GetTracking reads
// of different numbers take at most 2 upstream calls and each caller gets
// its own tracking or NOT_FOUND; a short-deadline read in a batch fails on
// time while the others succeed; a cancelled read leaves the batch intact.
// The batching metrics are checked on /metrics.
#include <curl/curl.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/grpc_load.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::IsOk;
using testing::ServiceHarness;

constexpr char kCarrier[] = "dhl";

std::string Number(int i) { return absl::StrCat("BT", 10000000 + i, "DE"); }

ServerOptions ShippedOptions() {
  ServerOptions options;  // Shaping and read batching on, as shipped.
  options.metrics_listen_address = "127.0.0.1:0";
  return options;
}

// The account's limit, as the bench's emulator enforces it.
emulator::RateLimitConfig OneRequestPerSecond() {
  emulator::RateLimitConfig limit;
  limit.rps = 1;
  limit.burst = 1;
  limit.http_status = 429;
  limit.retry_after_s = 1;
  return limit;
}

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

// GET http://127.0.0.1:<port>/metrics.
std::string ScrapeMetrics(int port) {
  std::string body;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/metrics");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return body;
}

// The value of the sample `series` (name{labels}) in an exposition, or -1.
double SampleValue(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      return std::stod(std::string(line.substr(series.size() + 1)));
    }
  }
  return -1;
}

// One GetTracking read on its own thread.
class Reader {
 public:
  Reader(ServiceHarness* harness, std::string number, absl::Duration timeout)
      : context_(ServiceHarness::Context(timeout)),
        deadline_(absl::Now() + timeout) {
    request_.set_carrier_code(kCarrier);
    request_.set_tracking_number(std::move(number));
    thread_ = std::thread([this, harness] {
      status_ =
          harness->stub().GetTracking(context_.get(), request_, &response_);
      done_at_ = absl::Now();
    });
  }
  ~Reader() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  void Cancel() { context_->TryCancel(); }

  const grpc::Status& status() const { return status_; }
  const v1::Tracking& tracking() const { return response_.tracking(); }
  const std::string& number() const { return request_.tracking_number(); }
  absl::Time deadline() const { return deadline_; }
  absl::Time done_at() const { return done_at_; }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  const absl::Time deadline_;
  v1::GetTrackingRequest request_;
  v1::GetTrackingResponse response_;
  grpc::Status status_;
  absl::Time done_at_;
  std::thread thread_;
};

class ReadBatchingE2eTest : public ::testing::Test {
 protected:
  // Starts the server and emulator, stores trackings 0..stored-1 (one
  // upstream batch call), limits the emulator to 1 req/s and waits until
  // the shaper has a token again.
  void Start(int stored, ServerOptions options = ShippedOptions()) {
    harness_ = std::make_unique<ServiceHarness>(std::move(options));
    ASSERT_THAT(harness_->Start(), IsOk());
    v1::BatchCreateTrackingsRequest create;
    for (int i = 0; i < stored; ++i) {
      v1::NewTracking* tracking = create.add_trackings();
      tracking->set_carrier_code(kCarrier);
      tracking->set_tracking_number(Number(i));
    }
    v1::BatchCreateTrackingsResponse created;
    auto context = ServiceHarness::Context(absl::Seconds(10));
    ASSERT_TRUE(harness_->stub()
                    .BatchCreateTrackings(context.get(), create, &created)
                    .ok());
    ASSERT_EQ(created.created_count(), stored);
    ASSERT_THAT(harness_->emulator().SetRateLimit(OneRequestPerSecond()),
                IsOk());
    requests_before_ = harness_->emulator().stats().requests_total;
    // The next token is free again (one per 1 / 0.97 s).
    absl::SleepFor(absl::Milliseconds(1200));
  }
  int64_t UpstreamCalls() {
    return harness_->emulator().stats().requests_total - requests_before_;
  }
  // Waits until the shaper has forwarded `n` default-class requests.
  bool WaitForForwarded(int64_t n, absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (harness_->server().rate_shaper()->Stats().classes[0].forwarded >= n) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }
  // Waits until the shaper has sent `n` combined calls.
  bool WaitForBatches(int64_t n, absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (harness_->server().rate_shaper()->Stats().batching.batches >= n) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }

  std::unique_ptr<ServiceHarness> harness_;
  int64_t requests_before_ = 0;
};

TEST_F(ReadBatchingE2eTest, FortyDistinctReadsTakeAtMostTwoUpstreamCalls) {
  Start(/*stored=*/36);
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < 40; ++i) {
    readers.push_back(
        std::make_unique<Reader>(harness_.get(), Number(i), absl::Seconds(10)));
  }
  for (auto& reader : readers) reader->Join();
  for (int i = 0; i < 40; ++i) {
    const Reader& reader = *readers[static_cast<size_t>(i)];
    SCOPED_TRACE(reader.number());
    if (i < 36) {
      ASSERT_TRUE(reader.status().ok()) << reader.status().error_message();
      EXPECT_EQ(reader.tracking().tracking_number(), Number(i));
      EXPECT_EQ(reader.tracking().carrier_code(), kCarrier);
    } else {
      EXPECT_EQ(reader.status().error_code(), grpc::StatusCode::NOT_FOUND);
      EXPECT_EQ(testing::GrpcReason(reader.status()), "TRACKING_NOT_FOUND");
    }
  }
  const emulator::StatsSnapshot stats = harness_->emulator().stats();
  EXPECT_LE(UpstreamCalls(), 2);
  EXPECT_EQ(stats.rate_limited_total, 0);
  const RateShaperStats shaper = harness_->server().rate_shaper()->Stats();
  EXPECT_GE(shaper.batching.batches, 1);
  EXPECT_GE(shaper.batching.batched_reads, 39);
  // The same on /metrics.
  const std::string metrics = ScrapeMetrics(harness_->server().metrics_port());
  EXPECT_EQ(SampleValue(metrics, "tracktry_read_batches_total"),
            static_cast<double>(shaper.batching.batches));
  EXPECT_EQ(SampleValue(metrics, "tracktry_read_batched_reads_total"),
            static_cast<double>(shaper.batching.batched_reads));
  EXPECT_EQ(SampleValue(metrics, "tracktry_read_batch_size_count"),
            static_cast<double>(shaper.batching.batches));
  EXPECT_EQ(SampleValue(metrics, "tracktry_read_batch_size_sum"),
            static_cast<double>(shaper.batching.batched_reads));
  // Every batch had at most 40 reads.
  EXPECT_EQ(SampleValue(metrics, "tracktry_read_batch_size_bucket{le=\"40\"}"),
            static_cast<double>(shaper.batching.batches));
  EXPECT_EQ(
      SampleValue(metrics, "tracktry_read_batch_size_bucket{le=\"+Inf\"}"),
      static_cast<double>(shaper.batching.batches));
}

TEST_F(ReadBatchingE2eTest, WithReadBatchingOffEachReadIsOneUpstreamCall) {
  ServerOptions options = ShippedOptions();
  options.read_batching.enabled = false;
  Start(/*stored=*/3, options);
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < 3; ++i) {
    readers.push_back(
        std::make_unique<Reader>(harness_.get(), Number(i), absl::Seconds(10)));
  }
  for (auto& reader : readers) reader->Join();
  for (const auto& reader : readers) EXPECT_TRUE(reader->status().ok());
  EXPECT_EQ(UpstreamCalls(), 3);
  EXPECT_EQ(harness_->server().rate_shaper()->Stats().batching.batches, 0);
  EXPECT_EQ(SampleValue(ScrapeMetrics(harness_->server().metrics_port()),
                        "tracktry_read_batches_total"),
            -1);
}

// The emulator answers after 1.5 s, so the batch is still in flight when
// the short read's deadline passes.
TEST_F(ReadBatchingE2eTest, ShortDeadlineReadInABatchFailsOnTime) {
  Start(/*stored=*/4);
  ASSERT_THAT(harness_->emulator().SetLatencyMs(1500), IsOk());
  // The first read takes the token that is free now; the next three queue
  // for the next one and go out together.
  const int64_t forwarded =
      harness_->server().rate_shaper()->Stats().classes[0].forwarded;
  Reader first(harness_.get(), Number(0), absl::Seconds(10));
  ASSERT_TRUE(WaitForForwarded(forwarded + 1));
  Reader one(harness_.get(), Number(1), absl::Seconds(10));
  Reader hasty(harness_.get(), Number(2), absl::Milliseconds(2000));
  Reader three(harness_.get(), Number(3), absl::Seconds(10));
  ASSERT_TRUE(WaitForBatches(1));
  hasty.Join();
  EXPECT_EQ(hasty.status().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << hasty.status().error_message();
  EXPECT_LT(hasty.done_at() - hasty.deadline(), absl::Milliseconds(300));
  one.Join();
  three.Join();
  first.Join();
  for (const Reader* reader : {&first, &one, &three}) {
    ASSERT_TRUE(reader->status().ok()) << reader->status().error_message();
    EXPECT_EQ(reader->tracking().tracking_number(), reader->number());
  }
  EXPECT_EQ(UpstreamCalls(), 2);
  EXPECT_EQ(harness_->emulator().stats().rate_limited_total, 0);
  const RateShaperStats shaper = harness_->server().rate_shaper()->Stats();
  EXPECT_EQ(shaper.batching.batches, 1);
  EXPECT_EQ(shaper.batching.batched_reads, 3);
}

TEST_F(ReadBatchingE2eTest, CancelledReadLeavesTheBatchIntact) {
  Start(/*stored=*/4);
  ASSERT_THAT(harness_->emulator().SetLatencyMs(1500), IsOk());
  const int64_t forwarded =
      harness_->server().rate_shaper()->Stats().classes[0].forwarded;
  Reader first(harness_.get(), Number(0), absl::Seconds(10));
  ASSERT_TRUE(WaitForForwarded(forwarded + 1));
  Reader one(harness_.get(), Number(1), absl::Seconds(10));
  Reader quitter(harness_.get(), Number(2), absl::Seconds(10));
  Reader three(harness_.get(), Number(3), absl::Seconds(10));
  ASSERT_TRUE(WaitForBatches(1));
  absl::SleepFor(absl::Milliseconds(200));  // The list call is on the wire.
  quitter.Cancel();
  quitter.Join();
  EXPECT_EQ(quitter.status().error_code(), grpc::StatusCode::CANCELLED);
  one.Join();
  three.Join();
  first.Join();
  for (const Reader* reader : {&first, &one, &three}) {
    ASSERT_TRUE(reader->status().ok()) << reader->status().error_message();
    EXPECT_EQ(reader->tracking().tracking_number(), reader->number());
  }
  // Not sent again, not cancelled: the emulator answered both calls.
  EXPECT_EQ(UpstreamCalls(), 2);
  const emulator::StatsSnapshot stats = harness_->emulator().stats();
  EXPECT_EQ(stats.connections_closed_by_client_before_response, 0);
  const RateShaperStats shaper = harness_->server().rate_shaper()->Stats();
  EXPECT_EQ(shaper.batching.batches, 1);
  EXPECT_EQ(shaper.batching.batched_reads, 3);
  EXPECT_EQ(shaper.batching.detached, 1);
}

}  // namespace
}  // namespace tracktry
