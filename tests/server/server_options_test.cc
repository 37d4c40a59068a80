// Copyright 2026 The tracktry-grpc Authors.
//
// ParseServerOptions: flags and environment, precedence, value forms, bad
// values, the API key and Redis password sources and --help; every flag
// fills its field from the command line and from its environment variable;
// the usage lists every flag; the Abseil flags are left as they were.
#include "service/server/server_options.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::StatusIs;

// A fake environment.
EnvLookup Env(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A file in the test temp dir holding `contents`; removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    static int counter = 0;
    path_ = ::testing::TempDir() + "server_options_test_" +
            std::to_string(getpid()) + "_" + std::to_string(counter++);
    std::ofstream out(path_);
    out << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ServerOptionsTest, NoFlagsNoEnvGiveDefaults) {
  absl::StatusOr<ServerOptions> options = ParseServerOptions({}, Env());
  ASSERT_THAT(options, IsOk());
  const ServerOptions defaults;
  EXPECT_EQ(options->listen_address, defaults.listen_address);
  EXPECT_EQ(options->upstream.base_url, "https://api.tracktry.com/v1");
  EXPECT_EQ(options->upstream.api_key_header, "Tracktry-Api-Key");
  EXPECT_EQ(options->upstream.api_key, "");
  EXPECT_EQ(options->service.default_deadline, absl::Seconds(30));
  EXPECT_TRUE(options->enable_reflection);
}

TEST(ServerOptionsTest, EqualsAndSpaceFormsBothWork) {
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--listen=127.0.0.1:7000", "--base-url", "http://127.0.0.1:9/v1"},
      Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, "127.0.0.1:7000");
  EXPECT_EQ(options->upstream.base_url, "http://127.0.0.1:9/v1");
}

TEST(ServerOptionsTest, ValueMayContainEqualsSign) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--base-url=http://h/v1?a=b"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.base_url, "http://h/v1?a=b");
}

TEST(ServerOptionsTest, EnvironmentIsUsedWhenNoFlag) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({}, Env({{"TRACKTRY_LISTEN", "127.0.0.1:6000"},
                                  {"TRACKTRY_BASE_URL", "http://env/v1"},
                                  {"TRACKTRY_API_KEY_HEADER", "X-Env-Key"}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, "127.0.0.1:6000");
  EXPECT_EQ(options->upstream.base_url, "http://env/v1");
  EXPECT_EQ(options->upstream.api_key_header, "X-Env-Key");
}

TEST(ServerOptionsTest, FlagsWinOverEnvironment) {
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--listen=127.0.0.1:7001", "--base-url=http://flag/v1"},
      Env({{"TRACKTRY_LISTEN", "127.0.0.1:6000"},
           {"TRACKTRY_BASE_URL", "http://env/v1"}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, "127.0.0.1:7001");
  EXPECT_EQ(options->upstream.base_url, "http://flag/v1");
}

TEST(ServerOptionsTest, EmptyEnvironmentValueIsIgnored) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({}, Env({{"TRACKTRY_LISTEN", ""}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, ServerOptions().listen_address);
}

TEST(ServerOptionsTest, LaterFlagWinsOverEarlier) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--listen=a:1", "--listen=b:2"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, "b:2");
}

TEST(ServerOptionsTest, DurationsParse) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--default-deadline=1500ms", "--realtime-deadline",
                          "2m", "--shutdown-grace=0s"},
                         Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->service.default_deadline, absl::Milliseconds(1500));
  EXPECT_EQ(options->service.realtime_deadline, absl::Minutes(2));
  EXPECT_EQ(options->shutdown_grace, absl::ZeroDuration());
}

TEST(ServerOptionsTest, BadDurationNamesTheFlag) {
  for (const std::string bad : {"soon", "10", "-5s", ""}) {
    EXPECT_THAT(ParseServerOptions({"--default-deadline=" + bad}, Env()),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("--default-deadline")))
        << bad;
  }
}

TEST(ServerOptionsTest, IntegersParseWithinRange) {
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--batch-chunk-size=10", "--max-page-size=50",
       "--max-upstream-connections=8", "--max-response-bytes=4096"},
      Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->service.batch_chunk_size, 10);
  EXPECT_EQ(options->service.max_page_size, 50);
  EXPECT_LE(options->service.default_page_size, 50);
  EXPECT_EQ(options->max_upstream_connections, 8);
  EXPECT_EQ(options->upstream.max_response_bytes, 4096u);
}

TEST(ServerOptionsTest, OutOfRangeOrNonNumericIntegerNamesTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"batch-chunk-size", "0"},          {"batch-chunk-size", "41"},
      {"batch-chunk-size", "abc"},        {"max-page-size", "2001"},
      {"max-upstream-connections", "-1"},
  };
  for (const auto& [flag, value] : cases) {
    EXPECT_THAT(
        ParseServerOptions({"--" + flag + "=" + value}, Env()),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--" + flag)))
        << flag << "=" << value;
  }
}

TEST(ServerOptionsTest, BooleanValues) {
  for (const std::string falsy : {"false", "0", "no", "FALSE"}) {
    absl::StatusOr<ServerOptions> options =
        ParseServerOptions({"--reflection=" + falsy}, Env());
    ASSERT_THAT(options, IsOk());
    EXPECT_FALSE(options->enable_reflection) << falsy;
  }
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--reflection=true"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_TRUE(options->enable_reflection);
  EXPECT_THAT(
      ParseServerOptions({"--reflection=maybe"}, Env()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--reflection")));
}

TEST(ServerOptionsTest, UnknownFlagIsInvalidArgument) {
  EXPECT_THAT(ParseServerOptions({"--no-such-flag=1"}, Env()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--no-such-flag")));
}

TEST(ServerOptionsTest, PositionalArgumentIsInvalidArgument) {
  EXPECT_THAT(ParseServerOptions({"serve"}, Env()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("serve")));
}

TEST(ServerOptionsTest, MissingValueAtTheEndNamesTheFlag) {
  EXPECT_THAT(
      ParseServerOptions({"--listen"}, Env()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--listen")));
}

TEST(ServerOptionsTest, ApiKeyFromEnvironmentIsTrimmed) {
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({}, Env({{"TRACKTRY_API_KEY", "  env-key-123\n"}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.api_key, "env-key-123");
}

TEST(ServerOptionsTest, ApiKeyFileIsReadAndTrimmed) {
  TempFile file("  file-key-456 \n\n");
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--api-key-file=" + file.path()}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.api_key, "file-key-456");
}

TEST(ServerOptionsTest, ApiKeyFileFromEnvironment) {
  TempFile file("env-file-key\n");
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({}, Env({{"TRACKTRY_API_KEY_FILE", file.path()}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.api_key, "env-file-key");
}

TEST(ServerOptionsTest, ApiKeyFileFlagWinsOverKeyInEnvironment) {
  TempFile file("flag-file-key");
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--api-key-file", file.path()}, Env({{"TRACKTRY_API_KEY", "env-key"}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.api_key, "flag-file-key");
}

TEST(ServerOptionsTest, UnreadableKeyFileIsInvalidArgumentWithoutKey) {
  EXPECT_THAT(
      ParseServerOptions({"--api-key-file=/nonexistent/dir/key"},
                         Env({{"TRACKTRY_API_KEY", "must-not-leak-789"}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Not(HasSubstr("must-not-leak-789"))));
}

TEST(ServerOptionsTest, NoFlagCarriesTheKeyItself) {
  EXPECT_THAT(
      ParseServerOptions({"--api-key=secret"}, Env()),
      StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("secret"))));
}

TEST(ServerOptionsTest, HelpIsReportedAsCancelled) {
  EXPECT_THAT(ParseServerOptions({"--help"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(ParseServerOptions({"--listen=x:1", "--help"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
}

TEST(ServerOptionsTest, HelpWinsOverOtherFlagErrors) {
  EXPECT_THAT(ParseServerOptions({"--default-deadline=bogus", "--help"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(ParseServerOptions({"--aaa-unknown=1", "--help"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
  // Not swallowed as the value of a preceding flag.
  EXPECT_THAT(ParseServerOptions({"--listen", "--help"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(ParseServerOptions({"-h"}, Env()),
              StatusIs(absl::StatusCode::kCancelled));
}

TEST(ServerOptionsTest, UsageMentionsTheCoreFlags) {
  const std::string usage = ServerUsage();
  for (const char* flag :
       {"--listen", "--base-url", "--api-key-file", "--api-key-header",
        "--default-deadline", "--help", "TRACKTRY_API_KEY"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
}

// --- Every flag, from the command line and from its variable. ---

// One flag: a non-default value and a check that it landed in its field.
struct FlagCase {
  std::string flag;
  std::string env;  // "" = none.
  std::string value;
  std::function<bool(const ServerOptions&)> filled;
};

std::vector<FlagCase> EveryFlag(const std::string& key_file,
                                const std::string& password_file) {
  using O = const ServerOptions&;
  const auto rate = [](O o, RateClass c) {
    return o.rate_shaping.limits[static_cast<size_t>(c)].rate;
  };
  return {
      {"listen", "TRACKTRY_LISTEN", "127.0.0.1:1",
       [](O o) { return o.listen_address == "127.0.0.1:1"; }},
      {"provider", "TRACKTRY_PROVIDER", "trackru",
       [](O o) {
         return o.upstream.base_url == "https://api.trackru.ru/v1" &&
                o.upstream.api_key_header == "Api-Key";
       }},
      {"base-url", "TRACKTRY_BASE_URL", "http://127.0.0.1:2/v1",
       [](O o) { return o.upstream.base_url == "http://127.0.0.1:2/v1"; }},
      {"api-key-file", "TRACKTRY_API_KEY_FILE", key_file,
       [key_file](O o) {
         // The key, and the file to re-read when it changes.
         return o.upstream.api_key == "case-key" && o.api_key_file == key_file;
       }},
      {"secret-reload-interval", "TRACKTRY_SECRET_RELOAD_INTERVAL", "7s",
       [](O o) { return o.secret_reload_interval == absl::Seconds(7); }},
      {"api-key-header", "TRACKTRY_API_KEY_HEADER", "X-Case-Key",
       [](O o) { return o.upstream.api_key_header == "X-Case-Key"; }},
      {"default-deadline", "", "7s",
       [](O o) { return o.service.default_deadline == absl::Seconds(7); }},
      {"realtime-deadline", "", "8s",
       [](O o) { return o.service.realtime_deadline == absl::Seconds(8); }},
      {"batch-chunk-size", "", "9",
       [](O o) { return o.service.batch_chunk_size == 9; }},
      {"max-page-size", "", "10",
       [](O o) {
         return o.service.max_page_size == 10 &&
                o.service.default_page_size == 10;
       }},
      {"max-upstream-connections", "", "11",
       [](O o) { return o.max_upstream_connections == 11; }},
      {"max-response-bytes", "", "2048",
       [](O o) { return o.upstream.max_response_bytes == 2048u; }},
      {"reflection", "TRACKTRY_REFLECTION", "false",
       [](O o) { return !o.enable_reflection; }},
      {"shutdown-grace", "TRACKTRY_SHUTDOWN_GRACE", "12s",
       [](O o) { return o.shutdown_grace == absl::Seconds(12); }},
      {"shutdown-delay", "TRACKTRY_SHUTDOWN_DELAY", "13s",
       [](O o) { return o.shutdown_delay == absl::Seconds(13); }},
      {"metrics-listen", "TRACKTRY_METRICS_LISTEN", "127.0.0.1:9464",
       [](O o) { return o.metrics_listen_address == "127.0.0.1:9464"; }},
      {"log-flush-interval", "TRACKTRY_LOG_FLUSH_INTERVAL", "250ms",
       [](O o) { return o.log_flush_interval == absl::Milliseconds(250); }},
      {"tls-cert", "TRACKTRY_TLS_CERT", "/c.pem",
       [](O o) { return o.tls_cert_file == "/c.pem"; }},
      {"tls-key", "TRACKTRY_TLS_KEY", "/k.pem",
       [](O o) { return o.tls_key_file == "/k.pem"; }},
      {"tls-client-ca", "TRACKTRY_TLS_CLIENT_CA", "/ca.pem",
       [](O o) { return o.tls_client_ca_file == "/ca.pem"; }},
      {"auth-tokens-file", "TRACKTRY_AUTH_TOKENS_FILE", "/tokens",
       [](O o) { return o.auth_tokens_file == "/tokens"; }},
      {"max-message-bytes", "", "4096",
       [](O o) { return o.max_message_bytes == 4096; }},
      {"max-concurrent-streams", "", "15",
       [](O o) { return o.max_concurrent_streams == 15; }},
      {"rpc-threads", "", "3", [](O o) { return o.rpc_threads == 3; }},
      {"keepalive-time", "", "16s",
       [](O o) { return o.keepalive_time == absl::Seconds(16); }},
      {"keepalive-timeout", "", "17s",
       [](O o) { return o.keepalive_timeout == absl::Seconds(17); }},
      {"max-connection-age", "", "18s",
       [](O o) { return o.max_connection_age == absl::Seconds(18); }},
      {"max-connection-age-grace", "", "19s",
       [](O o) { return o.max_connection_age_grace == absl::Seconds(19); }},
      {"rate-limit", "TRACKTRY_RATE_LIMIT", "off",
       [](O o) { return !o.rate_shaping.enabled; }},
      {"rate-default", "TRACKTRY_RATE_DEFAULT", "2.5",
       [rate](O o) { return rate(o, RateClass::kDefault) == 2.5; }},
      {"rate-list", "TRACKTRY_RATE_LIST", "3.5",
       [rate](O o) { return rate(o, RateClass::kList) == 3.5; }},
      {"rate-realtime", "TRACKTRY_RATE_REALTIME", "4.5",
       [rate](O o) { return rate(o, RateClass::kRealtime) == 4.5; }},
      {"rate-burst", "TRACKTRY_RATE_BURST", "5",
       [](O o) {
         for (const TokenBucketLimit& limit : o.rate_shaping.limits) {
           if (limit.burst != 5) return false;
         }
         return true;
       }},
      {"rate-safety", "TRACKTRY_RATE_SAFETY", "0.5",
       [](O o) { return o.rate_shaping.safety == 0.5; }},
      {"rate-share", "TRACKTRY_RATE_SHARE", "0.25",
       [](O o) { return o.rate_shaping.share == 0.25; }},
      {"rate-jitter-compensation", "TRACKTRY_RATE_JITTER_COMPENSATION", "0",
       [](O o) { return o.rate_shaping.jitter_compensation == 0; }},
      {"rate-limit-pause", "TRACKTRY_RATE_LIMIT_PAUSE", "20s",
       [](O o) { return o.rate_shaping.default_pause == absl::Seconds(20); }},
      {"rate-min-call-time", "TRACKTRY_RATE_MIN_CALL_TIME", "21ms",
       [](O o) {
         return o.rate_shaping.min_call_time == absl::Milliseconds(21);
       }},
      {"rate-account", "TRACKTRY_RATE_ACCOUNT", "acct-9",
       [](O o) { return o.rate_shaping.account_id == "acct-9"; }},
      {"read-batching", "TRACKTRY_READ_BATCHING", "off",
       [](O o) { return !o.read_batching.enabled; }},
      {"read-batch-max", "TRACKTRY_READ_BATCH_MAX", "12",
       [](O o) { return o.read_batching.max_numbers == 12; }},
      {"redis-address", "TRACKTRY_REDIS_ADDRESS", "127.0.0.1:6390",
       [](O o) { return o.rate_shaping.redis_address == "127.0.0.1:6390"; }},
      {"redis-user", "TRACKTRY_REDIS_USER", "fleet",
       [](O o) { return o.rate_shaping.redis_user == "fleet"; }},
      {"redis-password-file", "TRACKTRY_REDIS_PASSWORD_FILE", password_file,
       [](O o) { return o.rate_shaping.redis_password == "case-password"; }},
      {"redis-namespace", "TRACKTRY_REDIS_NAMESPACE", "tt-staging",
       [](O o) { return o.rate_shaping.redis_namespace == "tt-staging"; }},
      {"fleet", "TRACKTRY_FLEET", "off", [](O o) { return !o.fleet.enabled; }},
      {"fleet-timeout", "TRACKTRY_FLEET_TIMEOUT", "35ms",
       [](O o) { return o.fleet.timeout == absl::Milliseconds(35); }},
      {"fleet-lease", "TRACKTRY_FLEET_LEASE", "7s",
       [](O o) { return o.fleet.lease_time == absl::Seconds(7); }},
      {"retry-max-attempts", "TRACKTRY_RETRY_MAX_ATTEMPTS", "4",
       [](O o) { return o.retry.max_attempts == 4; }},
      {"retry-initial-backoff", "", "22ms",
       [](O o) { return o.retry.initial_backoff == absl::Milliseconds(22); }},
      {"retry-max-backoff", "", "23s",
       [](O o) { return o.retry.max_backoff == absl::Seconds(23); }},
      {"retry-attempt-timeout", "TRACKTRY_RETRY_ATTEMPT_TIMEOUT", "24s",
       [](O o) { return o.retry.attempt_timeout == absl::Seconds(24); }},
      {"circuit-failures", "TRACKTRY_CIRCUIT_FAILURES", "0",
       [](O o) { return o.circuit.failure_threshold == 0; }},
      {"circuit-cooldown", "TRACKTRY_CIRCUIT_COOLDOWN", "25s",
       [](O o) { return o.circuit.cooldown == absl::Seconds(25); }},
      {"cache-ttl", "TRACKTRY_CACHE_TTL", "0s",
       [](O o) { return o.cache.tracking_ttl == absl::ZeroDuration(); }},
      {"carriers-cache-ttl", "TRACKTRY_CARRIERS_CACHE_TTL", "26m",
       [](O o) { return o.cache.carriers_ttl == absl::Minutes(26); }},
      {"cache-max-entries", "TRACKTRY_CACHE_MAX_ENTRIES", "27",
       [](O o) { return o.cache.max_entries == 27u; }},
      {"cache-max-bytes", "TRACKTRY_CACHE_MAX_BYTES", "28000",
       [](O o) { return o.cache.max_bytes == 28000u; }},
      {"coalesce", "TRACKTRY_COALESCE", "no",
       [](O o) { return !o.cache.coalesce; }},
      {"idempotency-ttl", "TRACKTRY_IDEMPOTENCY_TTL", "29s",
       [](O o) { return o.idempotency.ttl == absl::Seconds(29); }},
      {"idempotency-max-keys", "", "30",
       [](O o) { return o.idempotency.max_keys == 30u; }},
      {"watch-interval", "TRACKTRY_WATCH_INTERVAL", "31s",
       [](O o) { return o.watch.interval == absl::Seconds(31); }},
      {"webhook-listen", "TRACKTRY_WEBHOOK_LISTEN", "127.0.0.1:8090",
       [](O o) { return o.webhook_listen_address == "127.0.0.1:8090"; }},
      {"webhook-email", "TRACKTRY_WEBHOOK_EMAIL", "ops@example.com",
       [](O o) { return o.webhook_email == "ops@example.com"; }},
      {"webhook-max-skew", "TRACKTRY_WEBHOOK_MAX_SKEW", "32s",
       [](O o) { return o.webhook_max_skew == absl::Seconds(32); }},
      {"webhook-dedupe-ttl", "TRACKTRY_WEBHOOK_DEDUPE_TTL", "33s",
       [](O o) { return o.webhook_dedupe_ttl == absl::Seconds(33); }},
      {"webhook-trust-push-body", "TRACKTRY_WEBHOOK_TRUST_PUSH_BODY", "true",
       [](O o) { return o.webhook_trust_push_body; }},
  };
}

TEST(ServerOptionsTest, EveryFlagFillsItsFieldFromFlagAndEnvironment) {
  TempFile key_file("case-key\n");
  TempFile password_file("  case-password\n");
  const std::vector<FlagCase> cases =
      EveryFlag(key_file.path(), password_file.path());
  absl::StatusOr<ServerOptions> defaults = ParseServerOptions({}, Env());
  ASSERT_THAT(defaults, IsOk());
  for (const FlagCase& c : cases) {
    SCOPED_TRACE(c.flag);
    // The value is not the default, so the check below can fail.
    EXPECT_FALSE(c.filled(*defaults));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--" + c.flag + "=" + c.value},
          std::vector<std::string>{"--" + c.flag, c.value}}) {
      absl::StatusOr<ServerOptions> options = ParseServerOptions(args, Env());
      ASSERT_THAT(options, IsOk());
      EXPECT_TRUE(c.filled(*options)) << args[0];
    }
    if (!c.env.empty()) {
      absl::StatusOr<ServerOptions> options =
          ParseServerOptions({}, Env({{c.env, c.value}}));
      ASSERT_THAT(options, IsOk()) << c.env;
      EXPECT_TRUE(c.filled(*options)) << c.env;
    }
  }
  // The cases cover every flag, with the variable the server reads.
  std::map<std::string, std::string> env_by_flag;
  for (const ServerFlagInfo& flag : ServerFlags()) {
    env_by_flag[flag.name] = flag.env;
  }
  std::map<std::string, std::string> env_by_case;
  for (const FlagCase& c : cases) env_by_case[c.flag] = c.env;
  EXPECT_EQ(env_by_case, env_by_flag);
}

TEST(ServerOptionsTest, EveryVariableIsIgnoredWhenItsFlagIsGiven) {
  TempFile key_file("case-key\n");
  TempFile password_file("case-password\n");
  absl::StatusOr<ServerOptions> defaults = ParseServerOptions({}, Env());
  ASSERT_THAT(defaults, IsOk());
  for (const FlagCase& c : EveryFlag(key_file.path(), password_file.path())) {
    if (c.env.empty()) continue;
    SCOPED_TRACE(c.flag);
    // The flag restates the default; the variable says otherwise.
    const ServerFlagInfo* info = nullptr;
    const std::vector<ServerFlagInfo> flags = ServerFlags();
    for (const ServerFlagInfo& flag : flags) {
      if (flag.name == c.flag) info = &flag;
    }
    ASSERT_NE(info, nullptr);
    absl::StatusOr<ServerOptions> options = ParseServerOptions(
        {"--" + c.flag + "=" + info->default_value}, Env({{c.env, c.value}}));
    ASSERT_THAT(options, IsOk());
    EXPECT_FALSE(c.filled(*options));
  }
}

// Every field the flags fill, compared with ServerOptions' own defaults.
TEST(ServerOptionsTest, FlagDefaultsAreTheServerOptionsDefaults) {
  absl::StatusOr<ServerOptions> parsed = ParseServerOptions({}, Env());
  ASSERT_THAT(parsed, IsOk());
  const ServerOptions& o = *parsed;
  const ServerOptions d;
  EXPECT_EQ(o.listen_address, d.listen_address);
  EXPECT_EQ(o.upstream.base_url, d.upstream.base_url);
  EXPECT_EQ(o.upstream.api_key_header, d.upstream.api_key_header);
  EXPECT_EQ(o.upstream.api_key, d.upstream.api_key);
  EXPECT_EQ(o.upstream.max_response_bytes, d.upstream.max_response_bytes);
  EXPECT_EQ(o.service.default_deadline, d.service.default_deadline);
  EXPECT_EQ(o.service.realtime_deadline, d.service.realtime_deadline);
  EXPECT_EQ(o.service.batch_chunk_size, d.service.batch_chunk_size);
  EXPECT_EQ(o.service.max_page_size, d.service.max_page_size);
  EXPECT_EQ(o.service.default_page_size, d.service.default_page_size);
  EXPECT_EQ(o.max_upstream_connections, d.max_upstream_connections);
  EXPECT_EQ(o.enable_reflection, d.enable_reflection);
  EXPECT_EQ(o.shutdown_grace, d.shutdown_grace);
  EXPECT_EQ(o.shutdown_delay, d.shutdown_delay);
  EXPECT_EQ(o.metrics_listen_address, d.metrics_listen_address);
  EXPECT_EQ(o.log_flush_interval, d.log_flush_interval);
  EXPECT_EQ(o.tls_cert_file, d.tls_cert_file);
  EXPECT_EQ(o.tls_key_file, d.tls_key_file);
  EXPECT_EQ(o.tls_client_ca_file, d.tls_client_ca_file);
  EXPECT_EQ(o.auth_tokens_file, d.auth_tokens_file);
  EXPECT_EQ(o.max_message_bytes, d.max_message_bytes);
  EXPECT_EQ(o.max_concurrent_streams, d.max_concurrent_streams);
  EXPECT_EQ(o.rpc_threads, d.rpc_threads);
  EXPECT_EQ(o.keepalive_time, d.keepalive_time);
  EXPECT_EQ(o.keepalive_timeout, d.keepalive_timeout);
  EXPECT_EQ(o.max_connection_age, d.max_connection_age);
  EXPECT_EQ(o.max_connection_age_grace, d.max_connection_age_grace);
  EXPECT_EQ(o.rate_shaping.enabled, d.rate_shaping.enabled);
  for (size_t i = 0; i < d.rate_shaping.limits.size(); ++i) {
    EXPECT_EQ(o.rate_shaping.limits[i].name, d.rate_shaping.limits[i].name);
    EXPECT_EQ(o.rate_shaping.limits[i].rate, d.rate_shaping.limits[i].rate);
    EXPECT_EQ(o.rate_shaping.limits[i].burst, d.rate_shaping.limits[i].burst);
  }
  EXPECT_EQ(o.rate_shaping.safety, d.rate_shaping.safety);
  EXPECT_EQ(o.rate_shaping.share, d.rate_shaping.share);
  EXPECT_EQ(o.rate_shaping.jitter_compensation,
            d.rate_shaping.jitter_compensation);
  EXPECT_EQ(o.rate_shaping.default_pause, d.rate_shaping.default_pause);
  EXPECT_EQ(o.rate_shaping.min_call_time, d.rate_shaping.min_call_time);
  EXPECT_EQ(o.rate_shaping.account_id, d.rate_shaping.account_id);
  EXPECT_EQ(o.read_batching.enabled, d.read_batching.enabled);
  EXPECT_EQ(o.read_batching.max_numbers, d.read_batching.max_numbers);
  EXPECT_EQ(o.rate_shaping.redis_address, d.rate_shaping.redis_address);
  EXPECT_EQ(o.rate_shaping.redis_user, d.rate_shaping.redis_user);
  EXPECT_EQ(o.rate_shaping.redis_password, d.rate_shaping.redis_password);
  EXPECT_EQ(o.rate_shaping.redis_namespace, d.rate_shaping.redis_namespace);
  EXPECT_EQ(o.fleet.enabled, d.fleet.enabled);
  EXPECT_EQ(o.fleet.timeout, d.fleet.timeout);
  EXPECT_EQ(o.fleet.lease_time, d.fleet.lease_time);
  EXPECT_EQ(o.retry.max_attempts, d.retry.max_attempts);
  EXPECT_EQ(o.retry.initial_backoff, d.retry.initial_backoff);
  EXPECT_EQ(o.retry.max_backoff, d.retry.max_backoff);
  EXPECT_EQ(o.retry.attempt_timeout, d.retry.attempt_timeout);
  EXPECT_EQ(o.circuit.failure_threshold, d.circuit.failure_threshold);
  EXPECT_EQ(o.circuit.cooldown, d.circuit.cooldown);
  EXPECT_EQ(o.cache.tracking_ttl, d.cache.tracking_ttl);
  EXPECT_EQ(o.cache.carriers_ttl, d.cache.carriers_ttl);
  EXPECT_EQ(o.cache.max_entries, d.cache.max_entries);
  EXPECT_EQ(o.cache.max_bytes, d.cache.max_bytes);
  // Unset: derived from the memory limit when the server starts.
  EXPECT_FALSE(o.cache.max_bytes.has_value());
  EXPECT_EQ(o.secret_reload_interval, d.secret_reload_interval);
  EXPECT_EQ(o.cache.coalesce, d.cache.coalesce);
  EXPECT_EQ(o.idempotency.ttl, d.idempotency.ttl);
  EXPECT_EQ(o.idempotency.max_keys, d.idempotency.max_keys);
  EXPECT_EQ(o.watch.interval, d.watch.interval);
  EXPECT_EQ(o.webhook_listen_address, d.webhook_listen_address);
  EXPECT_EQ(o.webhook_email, d.webhook_email);
  EXPECT_EQ(o.webhook_max_skew, d.webhook_max_skew);
  EXPECT_EQ(o.webhook_dedupe_ttl, d.webhook_dedupe_ttl);
  EXPECT_EQ(o.webhook_trust_push_body, d.webhook_trust_push_body);
}

// --- Values. ---

TEST(ServerOptionsTest, RateLimitTakesOnOffAndBooleans) {
  for (const std::string on : {"on", "ON", "true", "1", "yes"}) {
    absl::StatusOr<ServerOptions> options =
        ParseServerOptions({"--rate-limit=" + on}, Env());
    ASSERT_THAT(options, IsOk());
    EXPECT_TRUE(options->rate_shaping.enabled) << on;
  }
  for (const std::string off : {"off", "Off", "false", "0", "no"}) {
    absl::StatusOr<ServerOptions> options =
        ParseServerOptions({}, Env({{"TRACKTRY_RATE_LIMIT", off}}));
    ASSERT_THAT(options, IsOk());
    EXPECT_FALSE(options->rate_shaping.enabled) << off;
  }
  EXPECT_THAT(
      ParseServerOptions({"--rate-limit=maybe"}, Env()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rate-limit")));
}

TEST(ServerOptionsTest, OutOfRangeValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"rate-default", "0"},
      {"rate-list", "-1"},
      {"rate-realtime", "2e6"},
      {"rate-realtime", "nan"},
      {"rate-burst", "0"},
      {"rate-safety", "1.5"},
      {"rate-share", "0"},
      {"rate-jitter-compensation", "-0.1"},
      {"rate-limit-pause", "-1s"},
      {"retry-max-attempts", "11"},
      {"retry-attempt-timeout", "0"},
      {"circuit-failures", "-1"},
      {"circuit-cooldown", "0s"},
      {"cache-max-entries", "-1"},
      {"idempotency-max-keys", "0"},
      {"watch-interval", "0s"},
      {"webhook-max-skew", "-1s"},
      {"webhook-dedupe-ttl", "0s"},
      {"max-response-bytes", "100"},
      {"redis-address", "no-port"},
      {"redis-namespace", ""},
      {"redis-namespace", "a b"},
      {"fleet", "maybe"},
      {"fleet-timeout", "0s"},
      {"fleet-lease", "10ms"},
  };
  for (const auto& [flag, value] : cases) {
    EXPECT_THAT(
        ParseServerOptions({"--" + flag + "=" + value}, Env()),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--" + flag)))
        << flag << "=" << value;
  }
}

TEST(ServerOptionsTest, ReadBatchingFlagsRejectBadValues) {
  for (const char* arg : {"--read-batching=maybe", "--read-batch-max=0",
                          "--read-batch-max=41", "--read-batch-max=x"}) {
    const std::string text = arg;
    const std::string flag = text.substr(0, text.find('='));
    EXPECT_THAT(ParseServerOptions({text}, Env()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(flag)))
        << arg;
  }
  absl::StatusOr<ServerOptions> options =
      ParseServerOptions({"--read-batch-max=1", "--read-batching=on"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_TRUE(options->read_batching.enabled);
  EXPECT_EQ(options->read_batching.max_numbers, 1);
}

TEST(ServerOptionsTest, BadEnvironmentValueNamesTheFlagAndTheVariable) {
  EXPECT_THAT(ParseServerOptions({}, Env({{"TRACKTRY_CACHE_TTL", "soon"}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--cache-ttl"),
                             HasSubstr("TRACKTRY_CACHE_TTL"))));
  EXPECT_THAT(ParseServerOptions({}, Env({{"TRACKTRY_RATE_SHARE", "2"}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--rate-share"),
                             HasSubstr("TRACKTRY_RATE_SHARE"))));
  // A flag replaces the variable before the value is looked at.
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--cache-ttl=5s"}, Env({{"TRACKTRY_CACHE_TTL", "soon"}}));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->cache.tracking_ttl, absl::Seconds(5));
}

TEST(ServerOptionsTest, ProviderPresetThenExplicitBaseUrlAndHeader) {
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--api-key-header=X-Mine", "--provider=trackingmore-v2"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->upstream.base_url, "https://api.trackingmore.com/v2");
  EXPECT_EQ(options->upstream.api_key_header, "X-Mine");
  EXPECT_THAT(
      ParseServerOptions({}, Env({{"TRACKTRY_PROVIDER", "nope"}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("--provider"), HasSubstr("51tracking-v2"))));
}

// --- Redis credentials. ---

TEST(ServerOptionsTest, RedisPasswordFileIsReadAndTrimmed) {
  TempFile file("\n  redis-pass-123 \n");
  absl::StatusOr<ServerOptions> options = ParseServerOptions(
      {"--redis-address=127.0.0.1:6379", "--redis-password-file", file.path(),
       "--redis-user=fleet"},
      Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->rate_shaping.redis_address, "127.0.0.1:6379");
  EXPECT_EQ(options->rate_shaping.redis_password, "redis-pass-123");
  EXPECT_EQ(options->rate_shaping.redis_user, "fleet");
  EXPECT_EQ(options->rate_shaping.redis_namespace, "tracktry");
  // No file: no password.
  options = ParseServerOptions({"--redis-address=127.0.0.1:6379"}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->rate_shaping.redis_password, "");
}

TEST(ServerOptionsTest, UnreadableRedisPasswordFileNamesTheFlag) {
  EXPECT_THAT(
      ParseServerOptions(
          {}, Env({{"TRACKTRY_REDIS_PASSWORD_FILE", "/nonexistent/dir/pw"}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("--redis-password-file"),
                     HasSubstr("/nonexistent/dir/pw"))));
}

TEST(ServerOptionsTest, NoErrorCarriesTheRedisPassword) {
  TempFile file("must-not-leak-redis-456");
  for (const std::string& bad :
       {std::string("--redis-namespace="), std::string("--no-such=1"),
        std::string("--cache-ttl=soon")}) {
    absl::StatusOr<ServerOptions> options = ParseServerOptions(
        {"--redis-password-file=" + file.path(), bad}, Env());
    EXPECT_THAT(options, StatusIs(absl::StatusCode::kInvalidArgument,
                                  Not(HasSubstr("must-not-leak-redis-456"))))
        << bad;
  }
}

// --- Usage. ---

// The usage entry of --`flag`: from its line to the next flag's.
std::string UsageEntry(const std::string& usage, const std::string& flag) {
  const size_t start = usage.find("\n  --" + flag + "=");
  if (start == std::string::npos) return "";
  const size_t end = usage.find("\n  --", start + 1);
  return usage.substr(start, end - start);
}

TEST(ServerOptionsTest, UsageListsEveryFlagWithItsVariableAndDefault) {
  const std::string usage = ServerUsage();
  // Every flag of the hand-written parser this replaced, and the new ones.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"listen", "TRACKTRY_LISTEN"},
      {"provider", "TRACKTRY_PROVIDER"},
      {"base-url", "TRACKTRY_BASE_URL"},
      {"api-key-file", "TRACKTRY_API_KEY_FILE"},
      {"secret-reload-interval", "TRACKTRY_SECRET_RELOAD_INTERVAL"},
      {"api-key-header", "TRACKTRY_API_KEY_HEADER"},
      {"default-deadline", ""},
      {"realtime-deadline", ""},
      {"batch-chunk-size", ""},
      {"max-page-size", ""},
      {"max-upstream-connections", ""},
      {"max-response-bytes", ""},
      {"reflection", "TRACKTRY_REFLECTION"},
      {"shutdown-grace", "TRACKTRY_SHUTDOWN_GRACE"},
      {"shutdown-delay", "TRACKTRY_SHUTDOWN_DELAY"},
      {"metrics-listen", "TRACKTRY_METRICS_LISTEN"},
      {"log-flush-interval", "TRACKTRY_LOG_FLUSH_INTERVAL"},
      {"tls-cert", "TRACKTRY_TLS_CERT"},
      {"tls-key", "TRACKTRY_TLS_KEY"},
      {"tls-client-ca", "TRACKTRY_TLS_CLIENT_CA"},
      {"auth-tokens-file", "TRACKTRY_AUTH_TOKENS_FILE"},
      {"max-message-bytes", ""},
      {"max-concurrent-streams", ""},
      {"rpc-threads", ""},
      {"keepalive-time", ""},
      {"keepalive-timeout", ""},
      {"max-connection-age", ""},
      {"max-connection-age-grace", ""},
      {"rate-limit", "TRACKTRY_RATE_LIMIT"},
      {"rate-default", "TRACKTRY_RATE_DEFAULT"},
      {"rate-list", "TRACKTRY_RATE_LIST"},
      {"rate-realtime", "TRACKTRY_RATE_REALTIME"},
      {"rate-burst", "TRACKTRY_RATE_BURST"},
      {"rate-safety", "TRACKTRY_RATE_SAFETY"},
      {"rate-share", "TRACKTRY_RATE_SHARE"},
      {"rate-jitter-compensation", "TRACKTRY_RATE_JITTER_COMPENSATION"},
      {"rate-limit-pause", "TRACKTRY_RATE_LIMIT_PAUSE"},
      {"rate-min-call-time", "TRACKTRY_RATE_MIN_CALL_TIME"},
      {"rate-account", "TRACKTRY_RATE_ACCOUNT"},
      {"read-batching", "TRACKTRY_READ_BATCHING"},
      {"read-batch-max", "TRACKTRY_READ_BATCH_MAX"},
      {"redis-address", "TRACKTRY_REDIS_ADDRESS"},
      {"redis-user", "TRACKTRY_REDIS_USER"},
      {"redis-password-file", "TRACKTRY_REDIS_PASSWORD_FILE"},
      {"redis-namespace", "TRACKTRY_REDIS_NAMESPACE"},
      {"fleet", "TRACKTRY_FLEET"},
      {"fleet-timeout", "TRACKTRY_FLEET_TIMEOUT"},
      {"fleet-lease", "TRACKTRY_FLEET_LEASE"},
      {"retry-max-attempts", "TRACKTRY_RETRY_MAX_ATTEMPTS"},
      {"retry-initial-backoff", ""},
      {"retry-max-backoff", ""},
      {"retry-attempt-timeout", "TRACKTRY_RETRY_ATTEMPT_TIMEOUT"},
      {"circuit-failures", "TRACKTRY_CIRCUIT_FAILURES"},
      {"circuit-cooldown", "TRACKTRY_CIRCUIT_COOLDOWN"},
      {"cache-ttl", "TRACKTRY_CACHE_TTL"},
      {"carriers-cache-ttl", "TRACKTRY_CARRIERS_CACHE_TTL"},
      {"cache-max-entries", "TRACKTRY_CACHE_MAX_ENTRIES"},
      {"cache-max-bytes", "TRACKTRY_CACHE_MAX_BYTES"},
      {"coalesce", "TRACKTRY_COALESCE"},
      {"idempotency-ttl", "TRACKTRY_IDEMPOTENCY_TTL"},
      {"idempotency-max-keys", ""},
      {"watch-interval", "TRACKTRY_WATCH_INTERVAL"},
      {"webhook-listen", "TRACKTRY_WEBHOOK_LISTEN"},
      {"webhook-email", "TRACKTRY_WEBHOOK_EMAIL"},
      {"webhook-max-skew", "TRACKTRY_WEBHOOK_MAX_SKEW"},
      {"webhook-dedupe-ttl", "TRACKTRY_WEBHOOK_DEDUPE_TTL"},
      {"webhook-trust-push-body", "TRACKTRY_WEBHOOK_TRUST_PUSH_BODY"},
  };
  std::set<std::string> listed;
  for (const ServerFlagInfo& flag : ServerFlags()) listed.insert(flag.name);
  EXPECT_EQ(listed.size(), expected.size());
  for (const auto& [flag, env] : expected) {
    SCOPED_TRACE(flag);
    EXPECT_TRUE(listed.count(flag));
    const std::string entry = UsageEntry(usage, flag);
    ASSERT_FALSE(entry.empty());
    if (env.empty()) {
      EXPECT_THAT(entry, Not(HasSubstr("[TRACKTRY_")));
    } else {
      EXPECT_THAT(entry, HasSubstr("[" + env + "]"));
    }
  }
  for (const ServerFlagInfo& flag : ServerFlags()) {
    SCOPED_TRACE(flag.name);
    const std::string entry = UsageEntry(usage, flag.name);
    EXPECT_THAT(entry, HasSubstr("--" + flag.name + "=" + flag.value_name));
    if (!flag.default_value.empty()) {
      EXPECT_THAT(entry, HasSubstr("(" + flag.default_value + ")"));
    }
    // Under its section's title.
    const size_t title = usage.find("\n" + flag.section + ":\n");
    ASSERT_NE(title, std::string::npos);
    EXPECT_LT(title, usage.find("\n  --" + flag.name + "="));
  }
  EXPECT_THAT(usage, HasSubstr("--help, -h"));
  // Lines fit a terminal.
  for (absl::string_view line : absl::StrSplit(usage, '\n')) {
    EXPECT_LE(line.size(), 80u) << line;
  }
}

TEST(ServerOptionsTest, UsageNamesEveryProviderPreset) {
  const std::string entry = UsageEntry(ServerUsage(), "provider");
  for (const ProviderPreset& preset : ProviderPresets()) {
    EXPECT_THAT(entry, HasSubstr(preset.name));
  }
}

// Each Abseil flag defined with the options is in the table (and so in the
// usage and the parser), none is forgotten.
TEST(ServerOptionsTest, EveryAbslFlagOfTheServerIsInTheTable) {
  std::set<std::string> defined;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(flag->Filename(), "service/server/server_options.cc")) {
      defined.insert(absl::StrReplaceAll(name, {{"_", "-"}}));
    }
  }
  std::set<std::string> listed;
  for (const ServerFlagInfo& flag : ServerFlags()) listed.insert(flag.name);
  EXPECT_EQ(defined, listed);
  EXPECT_FALSE(defined.empty());
}

// --- A function: no state left behind, safe from several threads. ---

TEST(ServerOptionsTest, AbslFlagsAreLeftAsTheyWere) {
  absl::CommandLineFlag* listen = absl::FindCommandLineFlag("listen");
  ASSERT_NE(listen, nullptr);
  const std::string before = listen->CurrentValue();
  ASSERT_THAT(ParseServerOptions({"--listen=127.0.0.1:4"}, Env()), IsOk());
  EXPECT_EQ(listen->CurrentValue(), before);
  // Whatever the flag holds, a parse starts from the default and puts the
  // value back.
  std::string error;
  ASSERT_TRUE(listen->ParseFrom("elsewhere:5", &error)) << error;
  absl::StatusOr<ServerOptions> options = ParseServerOptions({}, Env());
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->listen_address, "0.0.0.0:50051");
  EXPECT_EQ(listen->CurrentValue(), "elsewhere:5");
  ASSERT_TRUE(listen->ParseFrom(before, &error)) << error;
  // A failed parse restores too.
  ASSERT_THAT(
      ParseServerOptions({"--listen=127.0.0.1:6", "--cache-ttl=x"}, Env()),
      Not(IsOk()));
  EXPECT_EQ(listen->CurrentValue(), before);
}

TEST(ServerOptionsTest, ConcurrentParsesDoNotMix) {
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &mismatches] {
      for (int i = 0; i < 50; ++i) {
        const std::string listen = absl::StrCat("127.0.0.", t, ":", 1000 + i);
        absl::StatusOr<ServerOptions> options = ParseServerOptions(
            {"--listen", listen, absl::StrCat("--batch-chunk-size=", t + 1)},
            Env());
        if (!options.ok() || options->listen_address != listen ||
            options->service.batch_chunk_size != t + 1) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

TEST(ServerOptionsTest, ProcessEnvReadsTheRealEnvironment) {
  ASSERT_EQ(setenv("TRACKTRY_OPTIONS_TEST_VAR", "value-1", 1), 0);
  EXPECT_EQ(ProcessEnv("TRACKTRY_OPTIONS_TEST_VAR"), "value-1");
  unsetenv("TRACKTRY_OPTIONS_TEST_VAR");
  EXPECT_EQ(ProcessEnv("TRACKTRY_OPTIONS_TEST_VAR"), std::nullopt);
}

}  // namespace
}  // namespace tracktry
