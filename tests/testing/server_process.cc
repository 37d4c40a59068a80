// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/server_process.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace tracktry::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string ServerProcess::ServerBinary() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self);
  dir = dir.substr(0, dir.rfind('/'));  // build/<dir>/tests
  dir = dir.substr(0, dir.rfind('/'));  // build/<dir>
  return dir + "/service/server/tracktry-server";
}

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  char path[] = "/tmp/tracktry-server-process-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return;
  log_path_ = path;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, 1);
  posix_spawn_file_actions_adddup2(&actions, fd, 2);
  std::vector<std::string> argv_strings = {ServerBinary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  env_strings.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(),
                  envp.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!log_path_.empty()) std::remove(log_path_.c_str());
}

bool ServerProcess::WaitForServing() {
  const std::regex serving("\"message\":\"serving\".*\"port\":([0-9]+)");
  const std::regex metrics("\"metrics_port\":([0-9]+)");
  for (int i = 0; i < 1000 && pid_ > 0; ++i) {
    std::smatch match;
    const std::string text = log();
    if (std::regex_search(text, match, serving)) {
      port_ = std::stoi(match[1]);
      if (std::regex_search(text, match, metrics)) {
        metrics_port_ = std::stoi(match[1]);
      }
      return true;
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      exited_ = true;
      return false;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

int64_t ServerProcess::StatusBytes(const std::string& field) const {
  if (pid_ <= 0 || exited_) return -1;
  const std::string status =
      ReadFile("/proc/" + std::to_string(pid_) + "/status");
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
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

void ServerProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exited_) kill(pid_, signal_number);
}

int ServerProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (pid_ > 0 && !exited_ && absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return -1;
}

std::string ServerProcess::log() const { return ReadFile(log_path_); }

}  // namespace tracktry::testing
