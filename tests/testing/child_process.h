// Copyright 2026 The tracktry-grpc Authors.
//
// ChildProcess: a program run as a child of the test (posix_spawnp), with
// exactly the environment given (plus PATH), its stdout and stderr together
// in a temporary file. Stopped with SIGKILL by its PID, and reaped, if still
// running at destruction. Under ServerProcess and RedisTestServer, and
// used directly for the emulator binary.
#ifndef TRACKTRY_TESTS_TESTING_CHILD_PROCESS_H_
#define TRACKTRY_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace tracktry::testing {

class ChildProcess {
 public:
  // build/<dir>/<relative> for a test binary in build/<dir>/tests, e.g.
  // BuildTreePath("emulator/tracktry-emulator").
  static std::string BuildTreePath(const std::string& relative);

  // Starts `argv` (argv[0]: a path, or a name looked up in PATH) with the
  // environment `env` ("NAME=value"; PATH=/usr/bin:/bin is added).
  ChildProcess(const std::vector<std::string>& argv,
               const std::vector<std::string>& env);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // True once the process has exited (it is reaped then); never blocks.
  bool Exited();
  // Sends `signal_number` unless the process has exited.
  void Signal(int signal_number);
  // Waits up to `timeout` for the exit; returns the exit code, or -1 (a
  // timeout, a death by signal, or never started).
  int WaitForExit(absl::Duration timeout);

  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string output_path_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_CHILD_PROCESS_H_
