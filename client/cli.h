// Copyright 2026 The tracktry-grpc Authors.
//
// The `tracktry` command-line tool, as a testable function. cli_main.cc only
// forwards argv to RunCli.
//
//   tracktry [global flags] <command> [command flags]
//   tracktry --target 127.0.0.1:50051 get --carrier dhl --number 1234567890
//   tracktry list --status delivered --all
//   tracktry create --json @tracking.json
//
// Every command takes --json '<request as proto JSON>' (or --json @FILE, or
// --json - for stdin); convenience flags are applied on top of it. The
// response is printed to `out` as pretty proto JSON (proto field names).
// See kCliUsage / `tracktry --help` for the full list.
//
// Exit codes:
//   0      success (also for --help);
//   1..16  the RPC failed: the gRPC status code (e.g. 5 NOT_FOUND, 14
//          UNAVAILABLE); `err` gets one JSON object
//          {"code","message","reason","domain","metadata","retryDelay",
//           "fieldViolations"} (only the fields that are present);
//   64     usage error (EX_USAGE): unknown command or flag, missing or bad
//          flag value, unreadable or invalid --json input; `err` gets a
//          line starting with "tracktry: " followed by "usage: ...".
#ifndef TRACKTRY_CLIENT_CLI_H_
#define TRACKTRY_CLIENT_CLI_H_

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace tracktry {

// Exit status for command-line errors (sysexits.h EX_USAGE). Distinct from
// every gRPC status code.
inline constexpr int kCliUsageExitCode = 64;

// What RunCli reads from its process environment; injectable for tests.
struct CliEnvironment {
  // Stream read by `--json -`. Null means std::cin.
  std::istream* in = nullptr;
  // Environment lookup (TRACKTRY_TARGET, TRACKTRY_TOKEN). Null means
  // std::getenv. Returns nullopt when the variable is unset.
  std::function<std::optional<std::string>(const std::string& name)> get_env;
};

// Runs the CLI with `args` (argv without the program name), writing the
// response to `out` and diagnostics to `err`; returns the exit code
// documented above. Uses std::cin and std::getenv.
// Thread safety: independent calls may run concurrently.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

// As above with an explicit environment.
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env,
           std::ostream& out, std::ostream& err);

}  // namespace tracktry

#endif  // TRACKTRY_CLIENT_CLI_H_
