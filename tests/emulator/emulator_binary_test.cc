// Copyright 2026 The tracktry-grpc Authors.
//
// The tracktry-emulator executable: flags, the "listening" line, the port
// file, serving, and a clean exit 0 on SIGTERM. Skipped if the binary has
// not been built next to this test (build/<dir>/emulator/).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/emulator_harness.h"

namespace tracktry {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::RawHttpExchange;
using testing::RawResult;

std::string EmulatorBinary() {
  return ChildProcess::BuildTreePath("emulator/tracktry-emulator");
}

// The first line `process` writes, within `timeout` ("" without one).
std::string FirstLine(ChildProcess& process, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  do {
    const std::string output = process.output();
    const size_t end = output.find('\n');
    if (end != std::string::npos) return output.substr(0, end);
    absl::SleepFor(absl::Milliseconds(5));
  } while (absl::Now() < deadline && !process.Exited());
  return "";
}

TEST(EmulatorBinaryTest, ServesAndStopsCleanlyOnSigterm) {
  const std::string binary = EmulatorBinary();
  if (access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "not built: " << binary;
  }
  const std::string port_file =
      absl::StrCat(::testing::TempDir(), "/emulator_port_", getpid());
  std::remove(port_file.c_str());
  ChildProcess emulator(
      {binary, "--listen", "127.0.0.1:0", "--port-file", port_file, "--seed",
       "9", "--api-key", "binary-secret-key", "--latency-ms", "1", "--threads",
       "2"},
      {});
  ASSERT_TRUE(emulator.started());
  const std::string line = FirstLine(emulator, absl::Seconds(5));
  EXPECT_THAT(line, MatchesRegex("tracktry-emulator listening on "
                                 "http://127\\.0\\.0\\.1:[0-9]+/v1"));
  int port = 0;
  std::ifstream(port_file) >> port;
  EXPECT_GT(port, 0);
  EXPECT_THAT(line, HasSubstr(absl::StrCat(":", port, "/v1")));

  const RawResult ok = RawHttpExchange(
      port,
      "GET /v1/carriers HTTP/1.1\r\nHost: x\r\nTracktry-Api-Key: "
      "binary-secret-key\r\n\r\n",
      3000);
  EXPECT_TRUE(ok.complete);
  EXPECT_THAT(ok.data, HasSubstr("\"code\":200"));
  const RawResult denied = RawHttpExchange(
      port,
      "GET /v1/carriers HTTP/1.1\r\nHost: x\r\nTracktry-Api-Key: no\r\n\r\n",
      3000);
  EXPECT_THAT(denied.data, HasSubstr("\"code\":4001"));
  EXPECT_THAT(denied.data, Not(HasSubstr("binary-secret-key")));

  emulator.Signal(SIGTERM);
  const int exit_code = emulator.WaitForExit(absl::Seconds(5));
  ASSERT_TRUE(emulator.Exited()) << "emulator did not stop on SIGTERM";
  EXPECT_EQ(exit_code, 0);
  EXPECT_THAT(emulator.output(), Not(HasSubstr("binary-secret-key")));
  std::remove(port_file.c_str());
}

TEST(EmulatorBinaryTest, RejectsUnknownFlag) {
  const std::string binary = EmulatorBinary();
  if (access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "not built: " << binary;
  }
  ChildProcess emulator({binary, "--bogus", "1"}, {});
  EXPECT_EQ(emulator.WaitForExit(absl::Seconds(10)), 2) << emulator.output();
}

}  // namespace
}  // namespace tracktry
