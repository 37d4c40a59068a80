// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/server_process.h"

#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace tracktry::testing {
namespace {

std::vector<std::string> WithBinary(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ServerProcess::ServerBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::string ServerProcess::ServerBinary() {
  return ChildProcess::BuildTreePath("service/server/tracktry-server");
}

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& env)
    : process_(WithBinary(args), env) {}

bool ServerProcess::WaitForServing(absl::Duration timeout) {
  const std::regex serving("\"message\":\"serving\".*\"port\":([0-9]+)");
  const std::regex metrics("\"metrics_port\":([0-9]+)");
  const absl::Time end = absl::Now() + timeout;
  while (started()) {
    std::smatch match;
    const std::string text = log();
    if (std::regex_search(text, match, serving)) {
      port_ = std::stoi(match[1]);
      if (std::regex_search(text, match, metrics)) {
        metrics_port_ = std::stoi(match[1]);
      }
      return true;
    }
    if (process_.Exited() || absl::Now() >= end) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

void ServerProcess::Stop(absl::Duration grace) {
  if (!started() || process_.Exited()) return;
  process_.Signal(SIGTERM);
  if (process_.WaitForExit(grace) == -1 && !process_.Exited()) {
    process_.Signal(SIGKILL);
    process_.WaitForExit(absl::Seconds(5));
  }
}

int64_t ServerProcess::StatusBytes(const std::string& field) {
  if (!started() || process_.Exited()) return -1;
  std::ifstream in("/proc/" + std::to_string(pid()) + "/status");
  std::stringstream buffer;
  buffer << in.rdbuf();
  for (absl::string_view line : absl::StrSplit(buffer.str(), '\n')) {
    if (!absl::ConsumePrefix(&line, field) ||
        !absl::ConsumePrefix(&line, ":")) {
      continue;
    }
    // "   123456 kB"
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int64_t kib = 0;
    if (parts.size() == 2 && parts[1] == "kB" &&
        absl::SimpleAtoi(parts[0], &kib)) {
      return kib * 1024;
    }
  }
  return -1;
}

}  // namespace tracktry::testing
