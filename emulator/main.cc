// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry-emulator: a local, stateful Tracktry API emulator with fault
// injection (see emulator/emulator.h). Prints
//   tracktry-emulator listening on http://127.0.0.1:PORT/v1
// when ready; SIGTERM/SIGINT stop it cleanly (exit 0).
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator.h"

namespace {

using tracktry::emulator::Emulator;
using tracktry::emulator::EmulatorOptions;

constexpr char kUsage[] =
    "usage: tracktry-emulator [flags]\n"
    "  --listen HOST:PORT      address to bind (default 127.0.0.1:8080; "
    "port 0 = any)\n"
    "  --port-file PATH        write the bound port to PATH when listening\n"
    "  --seed N                seed of all deterministic data (default 1)\n"
    "  --api-key KEY           require exactly this key (default: any "
    "non-empty key)\n"
    "  --api-key-header NAME   key header (default Tracktry-Api-Key)\n"
    "  --latency-ms N          latency added to every API response\n"
    "  --rate-limit-rps R      token-bucket limit across API routes (0 = "
    "off)\n"
    "  --rate-limit-burst B    bucket size (default 1)\n"
    "  --threads N             io threads (default 1)\n"
    "  --time-scale X          emulated seconds per real second (default 1)\n"
    "  --start-time UNIX       emulated clock start (default: now)\n"
    "  --no-quirks             disable the per-tracking shape quirks\n";

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "tracktry-emulator: " << message << "\n" << kUsage;
  std::exit(2);
}

bool ParseListen(const std::string& text, EmulatorOptions* options) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return false;
  }
  options->listen_host = host.empty() ? "127.0.0.1" : host;
  options->port = port;
  return true;
}

// Raises the soft RLIMIT_NOFILE to the hard limit so that thousands of
// connections can be held.
void RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  EmulatorOptions options;
  options.port = 8080;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::optional<std::string> inline_value;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (flag == "--no-quirks") {
      options.config.quirks = false;
      continue;
    }
    std::string value;
    if (inline_value.has_value()) {
      value = *inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      UsageError(absl::StrCat("missing value for ", flag));
    }
    bool ok = true;
    if (flag == "--listen") {
      ok = ParseListen(value, &options);
    } else if (flag == "--port-file") {
      port_file = value;
    } else if (flag == "--seed") {
      ok = absl::SimpleAtoi(value, &options.seed);
    } else if (flag == "--api-key") {
      options.config.api_key = value;
    } else if (flag == "--api-key-header") {
      options.config.api_key_header = value;
    } else if (flag == "--latency-ms") {
      ok = absl::SimpleAtoi(value, &options.config.latency_ms) &&
           options.config.latency_ms >= 0;
    } else if (flag == "--rate-limit-rps") {
      ok = absl::SimpleAtod(value, &options.config.rate_limit.rps) &&
           options.config.rate_limit.rps >= 0;
    } else if (flag == "--rate-limit-burst") {
      ok = absl::SimpleAtoi(value, &options.config.rate_limit.burst) &&
           options.config.rate_limit.burst >= 1;
    } else if (flag == "--threads") {
      ok = absl::SimpleAtoi(value, &options.threads) && options.threads >= 1;
    } else if (flag == "--time-scale") {
      ok = absl::SimpleAtod(value, &options.config.time_scale) &&
           options.config.time_scale > 0;
    } else if (flag == "--start-time") {
      ok = absl::SimpleAtoi(value, &options.start_time_unix);
    } else {
      UsageError(absl::StrCat("unknown flag ", flag));
    }
    // The key value is never echoed, even when malformed.
    if (!ok) UsageError(absl::StrCat("invalid value for ", flag));
  }

  RaiseFileLimit();
  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Emulator emulator(options);
  const absl::Status started = emulator.Start();
  if (!started.ok()) {
    std::cerr << "tracktry-emulator: " << started.message() << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << emulator.port() << "\n";
    }
    if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
      std::cerr << "tracktry-emulator: cannot write " << port_file << "\n";
      return 1;
    }
  }
  std::cout << "tracktry-emulator listening on " << emulator.base_url()
            << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  emulator.Stop();
  return 0;
}
