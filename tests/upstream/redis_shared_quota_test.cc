// Copyright 2026 The tracktry-grpc Authors.
//
// The account's quota across replicas, with the real binaries: a
// redis-server on 127.0.0.1 and two tracktry-server processes (from the
// build directory) in front of one emulator that enforces R req/s. Driven
// together at 10 x R they cause no upstream 429 and use nearly all of R.
// With --redis-address pointing at a dead port each replica falls back to
// its --rate-share of R.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/grpc_load.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::DriveLoad;
using testing::IsOk;
using testing::LoadResult;
using testing::RedisTestServer;

constexpr char kApiKey[] = "shared-quota-secret-api-key-7";
// The account limit the emulator enforces.
constexpr double kRate = 5.0;

std::string ServerBinary() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self);
  dir = dir.substr(0, dir.rfind('/'));  // .../tests
  dir = dir.substr(0, dir.rfind('/'));  // build dir
  return dir + "/service/server/tracktry-server";
}

// One tracktry-server process; stdout/stderr go to a temporary file.
class ServerProcess {
 public:
  ~ServerProcess() { Stop(); }

  absl::Status Start(const std::vector<std::string>& flags,
                     const std::string& base_url) {
    const std::string binary = ServerBinary();
    if (access(binary.c_str(), X_OK) != 0) {
      return absl::NotFoundError(
          absl::StrCat("tracktry-server not built at ", binary));
    }
    char path[] = "/tmp/tracktry-shaper-server-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return absl::InternalError("mkstemp failed");
    log_path_ = path;
    std::vector<std::string> args = {binary, "--listen", "127.0.0.1:0",
                                     "--base-url", base_url};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string key_env = absl::StrCat("TRACKTRY_API_KEY=", kApiKey);
    char* envp[] = {key_env.data(), nullptr};
    pid_ = fork();
    if (pid_ < 0) return absl::InternalError("fork failed");
    if (pid_ == 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execve(argv[0], argv.data(), envp);
      _exit(127);
    }
    close(fd);
    // The "serving" log line carries the bound port.
    for (int i = 0; i < 500; ++i) {
      const std::string log = Log();
      const size_t at = log.find("\"port\":");
      if (at != std::string::npos) {
        const size_t begin = at + 7;
        const size_t end = log.find_first_not_of("0123456789", begin);
        if (absl::SimpleAtoi(log.substr(begin, end - begin), &port_) &&
            port_ > 0) {
          channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                         grpc::InsecureChannelCredentials());
          stub_ = v1::TrackingService::NewStub(channel_);
          return absl::OkStatus();
        }
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::InternalError(absl::StrCat("server exited: ", Log()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return absl::DeadlineExceededError("server did not report its port");
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      pid_t waited = 0;
      for (int i = 0; i < 500 && waited == 0; ++i) {
        waited = waitpid(pid_, &status, WNOHANG);
        if (waited == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
      if (waited == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
    if (!log_path_.empty()) {
      std::remove(log_path_.c_str());
      log_path_.clear();
    }
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  v1::TrackingService::Stub* stub() { return stub_.get(); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

// One upstream call per read (no read batching), so that answers measure
// the pacing.
std::vector<std::string> RateFlags() {
  const std::string rate = absl::StrCat(kRate);
  return {"--rate-default",  rate, "--rate-list",     rate,
          "--rate-realtime", rate, "--read-batching", "off"};
}

struct TwoLoads {
  LoadResult a;
  LoadResult b;
  std::vector<absl::Time> all_answers;
};

// Drives both servers at the same time, each at 5 x kRate.
TwoLoads DriveBoth(ServerProcess& a, ServerProcess& b) {
  TwoLoads loads;
  std::thread other([&] {
    loads.b = DriveLoad(b.stub(), 5 * kRate, absl::Seconds(6), absl::Seconds(2),
                        "RB");
  });
  loads.a =
      DriveLoad(a.stub(), 5 * kRate, absl::Seconds(6), absl::Seconds(2), "RA");
  other.join();
  loads.all_answers = loads.a.upstream_answers;
  loads.all_answers.insert(loads.all_answers.end(),
                           loads.b.upstream_answers.begin(),
                           loads.b.upstream_answers.end());
  std::sort(loads.all_answers.begin(), loads.all_answers.end());
  std::printf("server A: %s\nserver B: %s\ntotal rate %.3f/s\n",
              loads.a.Summary().c_str(), loads.b.Summary().c_str(),
              LoadResult::RateOf(loads.all_answers));
  return loads;
}

emulator::EmulatorOptions LimitedEmulator(int burst) {
  emulator::EmulatorOptions options;
  options.config.api_key = kApiKey;
  options.config.rate_limit.rps = kRate;
  options.config.rate_limit.burst = burst;
  return options;
}

TEST(RedisSharedQuotaTest, TwoReplicasShareTheAccountRateThroughRedis) {
  RedisTestServer redis;
  ASSERT_THAT(redis.Start(), IsOk());
  emulator::Emulator emulator(LimitedEmulator(/*burst=*/1));
  ASSERT_THAT(emulator.Start(), IsOk());
  std::vector<std::string> flags = RateFlags();
  flags.insert(flags.end(), {"--redis-address", redis.address()});
  ServerProcess a, b;
  ASSERT_THAT(a.Start(flags, emulator.base_url()), IsOk());
  ASSERT_THAT(b.Start(flags, emulator.base_url()), IsOk());

  const TwoLoads loads = DriveBoth(a, b);
  const emulator::StatsSnapshot stats = emulator.stats();
  EXPECT_EQ(stats.rate_limited_total, 0);
  EXPECT_EQ(stats.requests_total,
            static_cast<int64_t>(loads.all_answers.size()));
  // Each replica alone would have used the whole rate: together they stay
  // at (safety x) R, and both get a fair part of it.
  const double rate = LoadResult::RateOf(loads.all_answers);
  EXPECT_GE(rate, 0.9 * kRate);
  EXPECT_LE(rate, 1.0 * kRate);
  EXPECT_GE(loads.a.upstream_answers.size(), loads.all_answers.size() / 4);
  EXPECT_GE(loads.b.upstream_answers.size(), loads.all_answers.size() / 4);
  EXPECT_GT(loads.a.Count("RATE_LIMIT_QUEUE"), loads.a.sent / 2);
  // The API key never reaches the logs.
  EXPECT_THAT(a.Log(), ::testing::Not(::testing::HasSubstr(kApiKey)));
  a.Stop();
  b.Stop();
  emulator.Stop();
}

TEST(RedisSharedQuotaTest, UnreachableRedisFallsBackToEachReplicasShare) {
  const int dead_port = testing::PickFreePort();
  // Uncoordinated replicas may send at the same moment: the emulator allows
  // a burst of 2, still at R per second.
  emulator::Emulator emulator(LimitedEmulator(/*burst=*/2));
  ASSERT_THAT(emulator.Start(), IsOk());
  std::vector<std::string> flags = RateFlags();
  flags.insert(flags.end(),
               {"--redis-address", absl::StrCat("127.0.0.1:", dead_port),
                "--rate-share", "0.5"});
  ServerProcess a, b;
  ASSERT_THAT(a.Start(flags, emulator.base_url()), IsOk());
  ASSERT_THAT(b.Start(flags, emulator.base_url()), IsOk());

  const TwoLoads loads = DriveBoth(a, b);
  EXPECT_EQ(emulator.stats().rate_limited_total, 0);
  // Each replica runs at 0.5 x R x safety on its own.
  for (const LoadResult* load : {&loads.a, &loads.b}) {
    EXPECT_GE(load->UpstreamRate(), 0.45 * kRate);
    EXPECT_LE(load->UpstreamRate(), 0.5 * kRate);
  }
  a.Stop();
  b.Stop();
  emulator.Stop();
}

}  // namespace
}  // namespace tracktry
