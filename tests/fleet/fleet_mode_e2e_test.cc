// Copyright 2026 The tracktry-grpc Authors.
//
// Fleet mode with the real binaries: a redis-server on 127.0.0.1, three
// tracktry-server processes (from the build directory) in front of one
// emulator. Each test is one promise of the issue:
//   * the same read on three replicas at once -> one upstream call; later
//     reads on any replica -> none;
//   * a write on replica A -> the next read on B and C sees it;
//   * a request_id repeat on replica C after a create on A -> no second
//     upstream create;
//   * a tracking watched on all three -> one upstream poll per interval,
//     every watcher gets the change;
//   * a webhook push received by one replica reaches another's watchers and
//     cache;
//   * Redis stopped mid-load -> zero failed RPCs and zero upstream 429s;
//     Redis back -> shared again.

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/emulator_harness.h"
#include "tests/testing/grpc_load.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/server_replica.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_until.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {
namespace {

using testing::IsOk;
using testing::RedisTestServer;

constexpr char kApiKey[] = "fleet-e2e-secret-api-key-42";
constexpr char kCarrier[] = "dhl";

// Waits up to 30 s (a loaded machine, several servers), polling every
// 20 ms (some conditions scrape /metrics).
template <typename Condition>
bool WaitFor(Condition condition) {
  return testing::WaitUntil(condition, absl::Seconds(30),
                            absl::Milliseconds(20));
}

std::unique_ptr<grpc::ClientContext> Context(
    absl::Duration timeout = absl::Seconds(20)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// One tracktry-server process (a replica) with its metrics listener.
class Replica : public testing::ServerReplica {
 public:
  absl::Status Start(std::vector<std::string> flags,
                     const std::string& base_url) {
    flags.insert(flags.begin(), {"--metrics-listen", "127.0.0.1:0"});
    absl::Status status = ServerReplica::Start(flags, base_url, kApiKey);
    if (status.ok() && metrics_port() <= 0) {
      return absl::InternalError(
          absl::StrCat("server did not report its metrics port: ", Log()));
    }
    return status;
  }

  // The value of the series `series` (name with labels, as exposed), or -1.
  double Metric(const std::string& series) const {
    const testing::RawResult result = testing::RawHttpExchange(
        metrics_port(),
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        5000);
    for (absl::string_view line : absl::StrSplit(result.data, '\n')) {
      if (!absl::StartsWith(line, series + " ")) continue;
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
        return value;
      }
    }
    return -1;
  }
  // Both fleet connections ready.
  bool FleetUp() const {
    return Metric("tracktry_fleet_redis_up{connection=\"commands\"}") == 1 &&
           Metric("tracktry_fleet_redis_up{connection=\"subscriber\"}") == 1;
  }
};

class FleetModeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(redis_.Start(), IsOk());
    emulator::EmulatorOptions options;
    options.config.api_key = kApiKey;
    emulator_ = std::make_unique<emulator::Emulator>(options);
    ASSERT_THAT(emulator_->Start(), IsOk());
  }
  void TearDown() override {
    for (auto& replica : replicas_) {
      EXPECT_FALSE(absl::StrContains(replica->Log(), kApiKey));
      replica->Stop();
    }
    replicas_.clear();
    emulator_->Stop();
  }

  // Starts `n` replicas sharing Redis, and waits until their fleet tier is
  // connected.
  void PushReachesEveryReplica(bool trusted);
  void StartReplicas(int n, std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--redis-address", redis_.address(),
                                      // Generous for a loaded CI machine.
                                      "--fleet-timeout", "1s", "--rate-default",
                                      "50", "--rate-burst", "10"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    for (int i = 0; i < n; ++i) {
      replicas_.push_back(std::make_unique<Replica>());
      ASSERT_THAT(replicas_.back()->Start(flags, emulator_->base_url()),
                  IsOk());
    }
    for (auto& replica : replicas_) {
      ASSERT_TRUE(WaitFor([&] { return replica->FleetUp(); }))
          << replica->Log();
    }
  }
  Replica& replica(int i) { return *replicas_[i]; }

  int64_t Upstream(const std::string& route) {
    return emulator_->stats().requests_by_route[route];
  }

  grpc::Status Create(Replica& replica, const std::string& number,
                      const std::string& request_id = "",
                      const std::string& title = "fleet parcel",
                      v1::Tracking* created = nullptr) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code(kCarrier);
    request.mutable_tracking()->set_tracking_number(number);
    request.mutable_tracking()->set_title(title);
    request.set_request_id(request_id);
    v1::CreateTrackingResponse response;
    auto context = Context();
    grpc::Status status =
        replica.stub()->CreateTracking(context.get(), request, &response);
    if (created != nullptr) *created = response.tracking();
    return status;
  }

  grpc::Status Get(Replica& replica, const std::string& number,
                   v1::Tracking* out = nullptr) {
    v1::GetTrackingRequest request;
    request.set_carrier_code(kCarrier);
    request.set_tracking_number(number);
    v1::GetTrackingResponse response;
    auto context = Context();
    grpc::Status status =
        replica.stub()->GetTracking(context.get(), request, &response);
    if (out != nullptr) *out = response.tracking();
    return status;
  }

  // Reads `number` on every replica at the same time.
  void GetEverywhereAtOnce(const std::string& number) {
    std::vector<std::thread> threads;
    std::vector<grpc::Status> statuses(replicas_.size());
    std::vector<v1::Tracking> trackings(replicas_.size());
    for (size_t i = 0; i < replicas_.size(); ++i) {
      threads.emplace_back(
          [&, i] { statuses[i] = Get(*replicas_[i], number, &trackings[i]); });
    }
    for (std::thread& thread : threads) thread.join();
    for (size_t i = 0; i < replicas_.size(); ++i) {
      EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
      EXPECT_EQ(trackings[i].tracking_number(), number);
      EXPECT_EQ(trackings[i].title(), trackings[0].title());
    }
  }

  // A number whose emulated parcel moves on (gets checkpoints) over time.
  std::string MovingNumber(int salt) {
    for (int i = 0;; ++i) {
      std::string number = absl::StrCat("FLEETW", salt, "X", 100000 + i);
      if (emulator_->generator().ScenarioFor(kCarrier, number) ==
          emulator::Scenario::kDelivered) {
        return number;
      }
    }
  }

  RedisTestServer redis_;
  std::unique_ptr<emulator::Emulator> emulator_;
  std::vector<std::unique_ptr<Replica>> replicas_;
};

TEST_F(FleetModeE2eTest, SameReadOnThreeReplicasAtOnceIsOneUpstreamCall) {
  StartReplicas(3);
  ASSERT_TRUE(Create(replica(0), "FLEETONE000001").ok());
  // Long enough for every replica's read to arrive while the first one is
  // still upstream.
  ASSERT_THAT(emulator_->SetFaultsJson(
                  R"({"rules":[{"route":"get","kind":"latency",
                      "latency_ms":400}]})"),
              IsOk());
  const int64_t before = Upstream("get");
  GetEverywhereAtOnce("FLEETONE000001");
  EXPECT_EQ(Upstream("get") - before, 1);
  // Later reads on any replica: no upstream call at all.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(Get(replica(i), "FLEETONE000001").ok());
    }
  }
  EXPECT_EQ(Upstream("get") - before, 1);
  // A replica that never read it gets it from the shared cache.
  replicas_.push_back(std::make_unique<Replica>());
  ASSERT_THAT(replicas_.back()->Start({"--redis-address", redis_.address(),
                                       "--fleet-timeout", "1s"},
                                      emulator_->base_url()),
              IsOk());
  ASSERT_TRUE(WaitFor([&] { return replica(3).FleetUp(); }));
  EXPECT_TRUE(Get(replica(3), "FLEETONE000001").ok());
  EXPECT_EQ(Upstream("get") - before, 1);
  EXPECT_GE(
      replica(3).Metric("tracktry_fleet_cache_lookups_total{outcome=\"hit\"}"),
      1);
}

TEST_F(FleetModeE2eTest, WriteOnOneReplicaIsSeenByTheNextReadOnTheOthers) {
  StartReplicas(3);
  ASSERT_TRUE(Create(replica(0), "FLEETWRITE0001", "", "before").ok());
  v1::Tracking tracking;
  for (int i = 1; i < 3; ++i) {
    ASSERT_TRUE(Get(replica(i), "FLEETWRITE0001", &tracking).ok());
    EXPECT_EQ(tracking.title(), "before");
  }
  for (int round = 0; round < 8; ++round) {
    const std::string title = absl::StrCat("after-", round);
    v1::UpdateTrackingRequest update;
    update.set_carrier_code(kCarrier);
    update.set_tracking_number("FLEETWRITE0001");
    update.mutable_tracking()->set_title(title);
    update.mutable_update_mask()->add_paths("title");
    v1::UpdateTrackingResponse response;
    auto context = Context();
    ASSERT_TRUE(replica(0)
                    .stub()
                    ->UpdateTracking(context.get(), update, &response)
                    .ok());
    // The very next read on the others (cached there a moment ago).
    for (int i = 1; i < 3; ++i) {
      ASSERT_TRUE(Get(replica(i), "FLEETWRITE0001", &tracking).ok());
      EXPECT_EQ(tracking.title(), title) << "replica " << i;
    }
  }
  EXPECT_GE(replica(1).Metric(
                "tracktry_fleet_invalidations_total{direction=\"received\"}"),
            1);
}

TEST_F(FleetModeE2eTest, RequestIdRepeatOnAnotherReplicaIsReplayed) {
  StartReplicas(3);
  v1::Tracking first;
  v1::Tracking again;
  ASSERT_TRUE(
      Create(replica(0), "FLEETID0000001", "fleet-req-1", "t", &first).ok());
  EXPECT_EQ(Upstream("create"), 1);
  grpc::Status status =
      Create(replica(2), "FLEETID0000001", "fleet-req-1", "t", &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.tracking_number(), first.tracking_number());
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(Upstream("create"), 1);
  // The same request_id for another request, on a third replica.
  status = Create(replica(1), "FLEETID0000001", "fleet-req-1", "other");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(testing::GrpcReason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(Upstream("create"), 1);
}

TEST_F(FleetModeE2eTest, RequestIdRepeatWhileTheFirstRunsWaitsForIt) {
  StartReplicas(2);
  ASSERT_THAT(emulator_->SetFaultsJson(
                  R"({"rules":[{"route":"create","kind":"latency",
                      "latency_ms":800}]})"),
              IsOk());
  grpc::Status first_status;
  v1::Tracking first;
  std::thread first_call([&] {
    first_status =
        Create(replica(0), "FLEETID0000002", "fleet-req-2", "t", &first);
  });
  // The repeat arrives on the other replica while the first is upstream.
  ASSERT_TRUE(WaitFor([&] { return emulator_->stats().in_flight > 0; }));
  v1::Tracking again;
  grpc::Status status =
      Create(replica(1), "FLEETID0000002", "fleet-req-2", "t", &again);
  first_call.join();
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(Upstream("create"), 1);
}

// Reads a watch stream on its own thread.
class Watcher {
 public:
  Watcher(Replica& replica, const std::string& number) {
    v1::WatchTrackingRequest request;
    request.set_carrier_code(kCarrier);
    request.set_tracking_number(number);
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(2)));
    reader_ = replica.stub()->WatchTracking(&context_, request);
    thread_ = std::thread([this] {
      v1::WatchTrackingResponse message;
      while (reader_->Read(&message)) {
        std::lock_guard<std::mutex> lock(mu_);
        messages_.push_back(message);
      }
      reader_->Finish();
    });
  }
  ~Watcher() {
    context_.TryCancel();
    thread_.join();
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }
  v1::ChangeSource last_source() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.empty() ? v1::CHANGE_SOURCE_UNSPECIFIED
                             : messages_.back().source();
  }
  // Messages that report a change (not the initial one).
  int changes() {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& message : messages_) {
      for (int kind : message.changes()) {
        if (kind != v1::CHANGE_KIND_INITIAL) {
          ++n;
          break;
        }
      }
    }
    return n;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchTrackingResponse>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<v1::WatchTrackingResponse> messages_;
};

TEST_F(FleetModeE2eTest, TrackingWatchedOnAllReplicasIsPolledOncePerInterval) {
  StartReplicas(3, {"--watch-interval", "1s"});
  const std::string number = MovingNumber(1);
  ASSERT_TRUE(Create(replica(0), number).ok());
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < 3; ++i) {
    watchers.push_back(std::make_unique<Watcher>(replica(i), number));
  }
  for (auto& watcher : watchers) {
    ASSERT_TRUE(WaitFor([&] { return watcher->count() >= 1; }));
  }
  // Watched on three replicas for a while: about one poll per interval in
  // all (three per interval without fleet mode).
  const int64_t before = Upstream("get");
  const absl::Duration window = absl::Seconds(8);
  absl::SleepFor(window);
  const int64_t polls = Upstream("get") - before;
  std::printf("upstream polls in %s: %lld\n",
              absl::FormatDuration(window).c_str(),
              static_cast<long long>(polls));
  EXPECT_GE(polls, 3);
  EXPECT_LE(polls, 12);
  // The parcel moves on: every watcher hears it.
  emulator_->AdvanceClock(36 * 3600);
  for (size_t i = 0; i < watchers.size(); ++i) {
    EXPECT_TRUE(WaitFor([&] { return watchers[i]->changes() >= 1; }))
        << "watcher on replica " << i;
  }
  int polled = 0;
  for (int i = 0; i < 3; ++i) {
    polled += replica(i).Metric(
                  "tracktry_fleet_watch_polls_total{outcome=\"polled\"}") > 0;
  }
  EXPECT_GE(polled, 1);
}

// A push received by replica 0 only; `trusted`: --webhook-trust-push-body.
void FleetModeE2eTest::PushReachesEveryReplica(bool trusted) {
  constexpr char kEmail[] = "fleet-ops@example.com";
  const int webhook_port = testing::PickFreePort();
  // Only pushes bring news (no poll within the test).
  std::vector<std::string> receiver_flags = {
      "--watch-interval", "1h",
      "--webhook-email",  kEmail,
      "--webhook-listen", absl::StrCat("127.0.0.1:", webhook_port)};
  if (trusted) receiver_flags.push_back("--webhook-trust-push-body=true");
  StartReplicas(1, receiver_flags);
  StartReplicas(1, {"--watch-interval", "1h"});
  const std::string number = MovingNumber(2);
  ASSERT_TRUE(Create(replica(0), number).ok());
  v1::Tracking before;
  ASSERT_TRUE(Get(replica(1), number, &before).ok());
  Watcher watcher(replica(1), number);
  ASSERT_TRUE(WaitFor([&] { return watcher.count() >= 1; }));
  const int64_t gets = Upstream("get");
  // The parcel moved; the push reaches replica 0 only.
  emulator_->AdvanceClock(36 * 3600);
  emulator::WebhookPushRequest push;
  push.url = absl::StrCat("http://127.0.0.1:", webhook_port, "/hook");
  push.carrier_code = kCarrier;
  push.tracking_number = number;
  push.email = kEmail;
  absl::StatusOr<int> code = emulator_->PushWebhook(push);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 200);
  // Replica 1's watcher hears it, and its cache holds the pushed state.
  ASSERT_TRUE(WaitFor([&] { return watcher.changes() >= 1; }));
  EXPECT_EQ(watcher.last_source(), v1::CHANGE_SOURCE_WEBHOOK);
  v1::Tracking after;
  ASSERT_TRUE(Get(replica(1), number, &after).ok());
  EXPECT_NE(after.status(), before.status());
  // A hint costs the fleet one re-read (replica 0's), a trusted body none;
  // replica 1 reads nothing upstream either way.
  EXPECT_EQ(Upstream("get"), trusted ? gets : gets + 1);
}

TEST_F(FleetModeE2eTest, WebhookPushOnOneReplicaReachesEveryReplica) {
  PushReachesEveryReplica(/*trusted=*/false);
}

TEST_F(FleetModeE2eTest, TrustedWebhookPushReachesEveryReplica) {
  PushReachesEveryReplica(/*trusted=*/true);
}

TEST_F(FleetModeE2eTest, RedisStoppedMidLoadFailsNothingAndRejoinsAfter) {
  // The emulator enforces R = 5/s. Uncoordinated replicas (Redis down) may
  // send at the same moment: it allows a burst of 3, still R per second.
  emulator::RateLimitConfig limit;
  limit.rps = 5;
  limit.burst = 3;
  limit.http_status = 429;
  ASSERT_THAT(emulator_->SetRateLimit(limit), IsOk());
  StartReplicas(3, {"--rate-default", "5", "--rate-burst", "1", "--rate-share",
                    "0.33", "--cache-ttl", "2s"});
  const std::vector<std::string> numbers = {"FLEETLOAD00001", "FLEETLOAD00002"};
  for (const std::string& number : numbers) {
    ASSERT_TRUE(WaitFor([&] { return Create(replica(0), number).ok(); }));
  }
  // Each replica: 20 reads/s of the two numbers (cache TTL 2 s, so the
  // upstream is asked again and again), for 10 s; Redis dies after 3 s.
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::mutex mu;
  std::map<std::string, int> failures;
  std::vector<std::thread> loads;
  const absl::Time start = absl::Now();
  for (int r = 0; r < 3; ++r) {
    loads.emplace_back([&, r] {
      for (int i = 0; absl::Now() < start + absl::Seconds(10); ++i) {
        const grpc::Status status =
            Get(replica(r), numbers[i % numbers.size()]);
        if (status.ok()) {
          ok.fetch_add(1);
        } else {
          failed.fetch_add(1);
          std::lock_guard<std::mutex> lock(mu);
          ++failures[absl::StrCat(status.error_code(), " ",
                                  testing::GrpcReason(status), " ",
                                  status.error_message())];
        }
        absl::SleepFor(start + (i + 1) * absl::Milliseconds(50) - absl::Now());
      }
    });
  }
  absl::SleepFor(start + absl::Seconds(3) - absl::Now());
  const int port = redis_.port();
  redis_.Stop();
  for (std::thread& load : loads) load.join();
  for (const auto& [what, n] : failures)
    std::printf("failure %s: %d\n", what.c_str(), n);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 300);
  EXPECT_EQ(emulator_->stats().rate_limited_total, 0);
  // Each replica said it fell back.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(replica(i).FleetUp());
    // (Not EXPECT_THAT: the whole log on failure is too much.)
    EXPECT_TRUE(absl::StrContains(
        replica(i).Log(), "Redis connection lost, serving from local state"));
    EXPECT_TRUE(absl::StrContains(replica(i).Log(), "rate buckets fall back"));
    EXPECT_GE(replica(i).Metric("tracktry_rate_limit_fallbacks_total"), 1);
  }
  // Redis back: the replicas share again.
  ASSERT_THAT(redis_.Start(port), IsOk());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitFor([&] { return replica(i).FleetUp(); }));
  }
  ASSERT_TRUE(Create(replica(0), "FLEETLOAD00003").ok());
  ASSERT_THAT(emulator_->SetFaultsJson(
                  R"({"rules":[{"route":"get","kind":"latency",
                      "latency_ms":400}]})"),
              IsOk());
  const int64_t before = Upstream("get");
  GetEverywhereAtOnce("FLEETLOAD00003");
  EXPECT_EQ(Upstream("get") - before, 1);
  // The rate buckets too, at their next retry (every 5 s).
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] {
      Get(replica(i), "FLEETLOAD00001");
      return replica(i).Metric("tracktry_rate_limit_shared") == 1;
    }));
    // An INFO line: written within --log-flush-interval.
    EXPECT_TRUE(WaitFor([&] {
      return absl::StrContains(replica(i).Log(),
                               "rate buckets shared through Redis again");
    }));
  }
}

}  // namespace
}  // namespace tracktry
