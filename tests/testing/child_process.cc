// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/child_process.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"

namespace tracktry::testing {

std::string ChildProcess::BuildTreePath(const std::string& relative) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self);
  dir = dir.substr(0, dir.rfind('/'));  // build/<dir>/tests
  dir = dir.substr(0, dir.rfind('/'));  // build/<dir>
  return dir + "/" + relative;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env) {
  if (argv.empty()) return;
  char path[] = "/tmp/tracktry-child-process-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return;
  output_path_ = path;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  std::vector<std::string> argv_strings = argv;
  std::vector<char*> argv_pointers;
  for (std::string& arg : argv_strings) argv_pointers.push_back(arg.data());
  argv_pointers.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  env_strings.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> env_pointers;
  for (std::string& entry : env_strings) env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);
  if (posix_spawnp(&pid_, argv_pointers[0], &actions, nullptr,
                   argv_pointers.data(), env_pointers.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!output_path_.empty()) std::remove(output_path_.c_str());
}

bool ChildProcess::Exited() {
  if (pid_ <= 0 || exited_) return exited_;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return exited_;
}

void ChildProcess::Signal(int signal_number) {
  if (pid_ > 0 && !Exited()) kill(pid_, signal_number);
}

int ChildProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (pid_ > 0 && !Exited() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  return exited_ ? exit_code_ : -1;
}

std::string ChildProcess::output() const {
  std::ifstream in(output_path_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace tracktry::testing
