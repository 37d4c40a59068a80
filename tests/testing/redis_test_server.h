// Copyright 2026 The tracktry-grpc Authors.
//
// RedisTestServer: a throw-away redis-server on 127.0.0.1 for tests (no
// persistence), started on a free port and stopped by its PID, optionally
// requiring a password. Header-only, shared by the tests in tests/upstream/.
#ifndef TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_
#define TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

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

  // Starts redis-server on `port` (0 = a free one) and waits until it
  // accepts connections.
  absl::Status Start(int port = 0) {
    if (pid_ > 0) return absl::FailedPreconditionError("already started");
    port_ = port != 0 ? port : PickFreePort();
    if (port_ == 0) return absl::InternalError("no free port");
    const std::string port_text = absl::StrCat(port_);
    std::vector<const char*> argv = {"redis-server",
                                     "--port",
                                     port_text.c_str(),
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
      argv.push_back(password_.c_str());
    }
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) return absl::InternalError("fork failed");
    if (pid_ == 0) {
      const int null_fd = open("/dev/null", O_WRONLY);
      if (null_fd >= 0) {
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
      }
      execvp("redis-server", const_cast<char* const*>(argv.data()));
      _exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      if (PortAccepts(port_)) return absl::OkStatus();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::UnavailableError(
            "redis-server exited at start (is it installed? script/bootstrap)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Stop();
    return absl::DeadlineExceededError("redis-server did not start");
  }

  // Kills the server (SIGKILL: an abrupt failure) and reaps it.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    kill(pid_, SIGCONT);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Freezes / thaws the server (SIGSTOP / SIGCONT): a Redis that accepts
  // connections but answers nothing.
  void Pause() {
    if (pid_ > 0) kill(pid_, SIGSTOP);
  }
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
  }

  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string password_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_REDIS_TEST_SERVER_H_
