// Copyright 2026 The tracktry-grpc Authors.
//
// ServerProcess: the real tracktry-server binary (next to the test
// binaries in the build tree) as a child process, its stdout/stderr in a
// temporary file, its memory read from /proc/<pid>/status. Stopped with
// SIGKILL (by its PID) if still running at destruction.
#ifndef TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_
#define TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

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
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Waits up to 10 s for the "serving" log line; false without it (or when
  // the process exited). Then port() and metrics_port() are known.
  bool WaitForServing();
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }

  // A "VmRSS" / "VmHWM" (peak) style field of /proc/<pid>/status in bytes;
  // -1 when unavailable.
  int64_t StatusBytes(const std::string& field) const;

  // Sends `signal_number`; waits up to `timeout` for the exit and returns
  // the exit code, or -1 (timeout, or killed by a signal).
  void Signal(int signal_number);
  int WaitForExit(absl::Duration timeout);

  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string log_path_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_SERVER_PROCESS_H_
