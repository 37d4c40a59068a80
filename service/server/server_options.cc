// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/server_options.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tracktry {
namespace {

absl::Status BadFlag(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": ", why));
}

absl::StatusOr<absl::Duration> ParseDurationValue(absl::string_view name,
                                                  const std::string& value) {
  absl::Duration duration;
  if (!absl::ParseDuration(value, &duration) || duration < absl::ZeroDuration()) {
    return BadFlag(name, "expected a duration such as 30s or 500ms");
  }
  return duration;
}

absl::StatusOr<int> ParseIntValue(absl::string_view name,
                                  const std::string& value, int min, int max) {
  int result = 0;
  if (!absl::SimpleAtoi(value, &result) || result < min || result > max) {
    return BadFlag(name, absl::StrCat("expected an integer in [", min, ", ",
                                      max, "]"));
  }
  return result;
}

absl::StatusOr<bool> ParseBoolValue(absl::string_view name,
                                    const std::string& value) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return BadFlag(name, "expected true or false");
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read API key file ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(buffer.str()));
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string ServerUsage() {
  return R"(usage: tracktry-server [flags]

Serves tracktry.v1.TrackingService over gRPC in front of the Tracktry REST API.

Flags (environment variable in brackets; flags win):
  --listen=ADDR               gRPC listen address [TRACKTRY_LISTEN] (0.0.0.0:50051)
  --base-url=URL              upstream base URL [TRACKTRY_BASE_URL] (https://api.tracktry.com/v1)
  --api-key-file=PATH         file holding the API key [TRACKTRY_API_KEY_FILE]
                              (or put the key itself in [TRACKTRY_API_KEY])
  --api-key-header=NAME       header carrying the key [TRACKTRY_API_KEY_HEADER] (Tracktry-Api-Key)
  --default-deadline=DUR      deadline when the caller sends none (30s)
  --realtime-deadline=DUR     same for GetRealtimeTracking (60s)
  --batch-chunk-size=N        items per upstream batch call, 1..40 (40)
  --max-page-size=N           ListTrackings page size cap, 1..2000 (2000)
  --max-upstream-connections=N  upstream connections per host, 0 = unlimited (0)
  --max-response-bytes=N      upstream body size cap (8388608)
  --shutdown-grace=DUR        time in-flight RPCs get on SIGTERM (10s)
  --reflection=BOOL           serve gRPC reflection (true)
  --help                      this text
)";
}

absl::StatusOr<ServerOptions> ParseServerOptions(
    const std::vector<std::string>& args, const EnvLookup& env) {
  ServerOptions options;
  std::map<std::string, std::string> values;
  // Environment first, flags override.
  const std::pair<const char*, const char*> env_flags[] = {
      {"TRACKTRY_LISTEN", "listen"},
      {"TRACKTRY_BASE_URL", "base-url"},
      {"TRACKTRY_API_KEY_FILE", "api-key-file"},
      {"TRACKTRY_API_KEY_HEADER", "api-key-header"},
  };
  for (const auto& [variable, flag] : env_flags) {
    if (auto value = env(variable); value.has_value() && !value->empty()) {
      values[flag] = *value;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument: ", args[i]));
    }
    std::string name, value;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (name == "help") {
        values[name] = "true";
        continue;
      }
      if (i + 1 >= args.size()) return BadFlag(name, "missing value");
      value = args[++i];
    }
    values[name] = value;
  }
  for (const auto& [name, value] : values) {
    if (name == "listen") {
      options.listen_address = value;
    } else if (name == "base-url") {
      options.upstream.base_url = value;
    } else if (name == "api-key-file") {
      absl::StatusOr<std::string> key = ReadKeyFile(value);
      if (!key.ok()) return key.status();
      options.upstream.api_key = *key;
    } else if (name == "api-key-header") {
      options.upstream.api_key_header = value;
    } else if (name == "default-deadline") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.service.default_deadline = *d;
    } else if (name == "realtime-deadline") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.service.realtime_deadline = *d;
    } else if (name == "batch-chunk-size") {
      auto n = ParseIntValue(name, value, 1, 40);
      if (!n.ok()) return n.status();
      options.service.batch_chunk_size = *n;
    } else if (name == "max-page-size") {
      auto n = ParseIntValue(name, value, 1, 2000);
      if (!n.ok()) return n.status();
      options.service.max_page_size = *n;
      options.service.default_page_size =
          std::min(options.service.default_page_size, *n);
    } else if (name == "max-upstream-connections") {
      auto n = ParseIntValue(name, value, 0, 100000);
      if (!n.ok()) return n.status();
      options.max_upstream_connections = *n;
    } else if (name == "max-response-bytes") {
      auto n = ParseIntValue(name, value, 1024, 1 << 30);
      if (!n.ok()) return n.status();
      options.upstream.max_response_bytes = static_cast<size_t>(*n);
    } else if (name == "shutdown-grace") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.shutdown_grace = *d;
    } else if (name == "reflection") {
      auto b = ParseBoolValue(name, value);
      if (!b.ok()) return b.status();
      options.enable_reflection = *b;
    } else if (name == "help") {
      return absl::CancelledError("help requested");
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  if (options.upstream.api_key.empty()) {
    if (auto key = env("TRACKTRY_API_KEY"); key.has_value()) {
      options.upstream.api_key =
          std::string(absl::StripAsciiWhitespace(*key));
    }
  }
  return options;
}

}  // namespace tracktry
