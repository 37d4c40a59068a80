// Copyright 2026 The tracktry-grpc Authors.
//
// The tracktry-emulator executable: flags, the "listening" line, the port
// file, serving, and a clean exit 0 on SIGTERM. Skipped if the binary has
// not been built next to this test (build/<dir>/emulator/).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/emulator_harness.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::RawHttpExchange;
using testing::RawResult;

std::string EmulatorBinary() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self);
  dir = dir.substr(0, dir.rfind('/'));  // .../tests
  dir = dir.substr(0, dir.rfind('/'));  // build dir
  return dir + "/emulator/tracktry-emulator";
}

// Reads one line from `fd` within `timeout_ms`.
std::string ReadLine(int fd, int timeout_ms) {
  std::string line;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char c;
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = read(fd, &c, 1);
    if (n == 1) {
      if (c == '\n') return line;
      line.push_back(c);
    } else if (n == 0) {
      return line;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return line;
}

TEST(EmulatorBinaryTest, ServesAndStopsCleanlyOnSigterm) {
  const std::string binary = EmulatorBinary();
  if (access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "not built: " << binary;
  }
  const std::string port_file =
      absl::StrCat(::testing::TempDir(), "/emulator_port_", getpid());
  std::remove(port_file.c_str());
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    execl(binary.c_str(), binary.c_str(), "--listen", "127.0.0.1:0",
          "--port-file", port_file.c_str(), "--seed", "9", "--api-key",
          "binary-secret-key", "--latency-ms", "1", "--threads", "2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  const std::string line = ReadLine(out[0], 5000);
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

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t waited = 0;
  for (int i = 0; i < 500 && waited == 0; ++i) {
    waited = waitpid(pid, &status, WNOHANG);
    if (waited == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (waited == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "emulator did not stop on SIGTERM";
  }
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  char rest[4096];
  const ssize_t n = read(out[0], rest, sizeof(rest));
  const std::string tail =
      n > 0 ? std::string(rest, static_cast<size_t>(n)) : "";
  EXPECT_THAT(tail, Not(HasSubstr("binary-secret-key")));
  close(out[0]);
  std::remove(port_file.c_str());
}

TEST(EmulatorBinaryTest, RejectsUnknownFlag) {
  const std::string binary = EmulatorBinary();
  if (access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "not built: " << binary;
  }
  const std::string command = binary + " --bogus 1 >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace tracktry
