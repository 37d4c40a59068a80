// Copyright 2026 The tracktry-grpc Authors.
//
// ServerProcess: the real tracktry-server binary (next to the test
// binaries in the build tree) as a ChildProcess: its log, the ports it
// reports, its memory read from /proc/<pid>/status. Stopped with SIGKILL
// (by its PID) if still running at destruction.
#ifndef TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_
#define TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/testing/child_process.h"

namespace tracktry::testing {

class ServerProcess {
 public:
  // build/<dir>/service/server/tracktry-server for a test binary in
  // build/<dir>/tests.
  static std::string ServerBinary();

  // Starts the server with `args` (without argv[0]) and exactly the
  // environment `env` ("NAME=value"; PATH is added).
  ServerProcess(const std::vector<std::string>& args,
                const std::vector<std::string>& env);

  bool started() const { return process_.started(); }
  pid_t pid() const { return process_.pid(); }

  // Waits up to `timeout` for the "serving" log line; false without it (or
  // when the process exited). Then port() and metrics_port() are known.
  bool WaitForServing(absl::Duration timeout = absl::Seconds(10));
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }

  // A "VmRSS" / "VmHWM" (peak) style field of /proc/<pid>/status in bytes;
  // -1 when unavailable.
  int64_t StatusBytes(const std::string& field);

  // Sends `signal_number`; waits up to `timeout` for the exit and returns
  // the exit code, or -1 (timeout, or killed by a signal).
  void Signal(int signal_number) { process_.Signal(signal_number); }
  int WaitForExit(absl::Duration timeout) {
    return process_.WaitForExit(timeout);
  }

  // A graceful stop: SIGTERM, up to `grace` for the exit, then SIGKILL.
  void Stop(absl::Duration grace = absl::Seconds(5));

  std::string log() const { return process_.output(); }

 private:
  ChildProcess process_;
  int port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_
