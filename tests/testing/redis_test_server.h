// Copyright 2026 The tracktry-grpc Authors.
//
// RedisTestServer: a throw-away redis-server on 127.0.0.1 for tests (no
// persistence), started on a free port as a ChildProcess and stopped by its
// PID, optionally requiring a password. Header-only (over ChildProcess),
// shared by the tests in tests/upstream/.
#ifndef TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_
#define TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/child_process.h"

namespace tracktry::testing {

// A port that was free a moment ago (bind to port 0, read it back, close).
inline int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// True when something accepts TCP connections on 127.0.0.1:`port`.
inline bool PortAccepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

class RedisTestServer {
 public:
  RedisTestServer() = default;
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;
  ~RedisTestServer() { Stop(); }

  // Makes the next Start() require `password` (--requirepass, i.e. the
  // "default" ACL user's password); "" = none.
  void set_password(std::string password) { password_ = std::move(password); }

  // Starts redis-server on `port` (0 = a free one; another one is tried
  // when something else took the port first) and waits until it accepts
  // connections. The server answering must be this one, ready by its own
  // log: a port another test's server holds accepts connections too.
  absl::Status Start(int port = 0) {
    if (process_ != nullptr) {
      return absl::FailedPreconditionError("already started");
    }
    absl::Status status;
    for (int attempt = 0; attempt < (port != 0 ? 1 : 5); ++attempt) {
      status = StartOn(port != 0 ? port : PickFreePort());
      if (!absl::IsAborted(status)) return status;
    }
    return status;
  }

  // Kills the server (SIGKILL: an abrupt failure) and reaps it.
  void Stop() {
    if (process_ == nullptr) return;
    // A paused server is killed too; SIGCONT lets it take the SIGKILL at
    // once. ~ChildProcess sends SIGKILL again if needed and reaps it.
    process_->Signal(SIGKILL);
    process_->Signal(SIGCONT);
    process_.reset();
  }

  // Freezes / thaws the server (SIGSTOP / SIGCONT): a Redis that accepts
  // connections but answers nothing.
  void Pause() {
    if (process_ != nullptr) process_->Signal(SIGSTOP);
  }
  void Resume() {
    if (process_ != nullptr) process_->Signal(SIGCONT);
  }

  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  // One attempt on `port`; ABORTED when the port was taken.
  absl::Status StartOn(int port) {
    port_ = port;
    if (port_ == 0) return absl::InternalError("no free port");
    std::vector<std::string> argv = {"redis-server",
                                     "--port",
                                     absl::StrCat(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--dir",
                                     "/tmp",
                                     "--protected-mode",
                                     "yes"};
    if (!password_.empty()) {
      argv.push_back("--requirepass");
      argv.push_back(password_);
    }
    process_ = std::make_unique<ChildProcess>(argv, std::vector<std::string>{});
    if (!process_->started()) {
      process_.reset();
      return absl::UnavailableError(
          "cannot start redis-server (is it installed? script/bootstrap)");
    }
    for (int i = 0; i < 500; ++i) {
      if (absl::StrContains(process_->output(),
                            "Ready to accept connections") &&
          PortAccepts(port_)) {
        return absl::OkStatus();
      }
      if (process_->Exited()) {
        const std::string output = process_->output();
        process_.reset();
        if (absl::StrContains(output, "Address already in use")) {
          return absl::AbortedError(absl::StrCat("port ", port, " taken"));
        }
        return absl::UnavailableError(
            absl::StrCat("redis-server exited at start (is it installed? "
                         "script/bootstrap): ",
                         output));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Stop();
    return absl::DeadlineExceededError("redis-server did not start");
  }

  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string password_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_
