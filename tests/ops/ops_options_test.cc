// Copyright 2026 The tracktry-grpc Authors.
//
// ParseServerOptions: the lifecycle, metrics, TLS, auth, limits and
// keepalive flags and their environment variables.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/server/server_options.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::StatusIs;

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(OpsOptionsTest, DefaultsAreSafe) {
  auto options = ParseServerOptions({}, Env({}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->metrics_listen_address, "");
  EXPECT_EQ(options->tls_cert_file, "");
  EXPECT_EQ(options->auth_tokens_file, "");
  EXPECT_TRUE(options->enable_reflection);
  EXPECT_EQ(options->max_message_bytes, 16 << 20);
  EXPECT_EQ(options->max_concurrent_streams, 1024);
  EXPECT_EQ(options->keepalive_time, absl::Minutes(5));
  EXPECT_EQ(options->keepalive_timeout, absl::Seconds(20));
  EXPECT_EQ(options->max_connection_age, absl::Minutes(10));
  EXPECT_EQ(options->max_connection_age_grace, absl::Seconds(30));
  EXPECT_EQ(options->shutdown_delay, absl::ZeroDuration());
  EXPECT_EQ(options->shutdown_grace, absl::Seconds(10));
}

TEST(OpsOptionsTest, FlagsAreParsed) {
  auto options = ParseServerOptions(
      {"--metrics-listen=127.0.0.1:9464", "--tls-cert", "/c.pem",
       "--tls-key=/k.pem", "--tls-client-ca=/ca.pem",
       "--auth-tokens-file=/tokens", "--max-message-bytes=1048576",
       "--max-concurrent-streams=64", "--keepalive-time=2m",
       "--keepalive-timeout=10s", "--max-connection-age=15m",
       "--max-connection-age-grace=1m", "--shutdown-delay=5s",
       "--shutdown-grace=20s", "--reflection=false"},
      Env({}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->metrics_listen_address, "127.0.0.1:9464");
  EXPECT_EQ(options->tls_cert_file, "/c.pem");
  EXPECT_EQ(options->tls_key_file, "/k.pem");
  EXPECT_EQ(options->tls_client_ca_file, "/ca.pem");
  EXPECT_EQ(options->auth_tokens_file, "/tokens");
  EXPECT_EQ(options->max_message_bytes, 1 << 20);
  EXPECT_EQ(options->max_concurrent_streams, 64);
  EXPECT_EQ(options->keepalive_time, absl::Minutes(2));
  EXPECT_EQ(options->keepalive_timeout, absl::Seconds(10));
  EXPECT_EQ(options->max_connection_age, absl::Minutes(15));
  EXPECT_EQ(options->max_connection_age_grace, absl::Minutes(1));
  EXPECT_EQ(options->shutdown_delay, absl::Seconds(5));
  EXPECT_EQ(options->shutdown_grace, absl::Seconds(20));
  EXPECT_FALSE(options->enable_reflection);
}

TEST(OpsOptionsTest, EnvironmentVariablesApplyAndFlagsWin) {
  auto options =
      ParseServerOptions({"--tls-key=/flag.key"},
                         Env({{"TRACKTRY_METRICS_LISTEN", "0.0.0.0:9464"},
                              {"TRACKTRY_TLS_CERT", "/env.pem"},
                              {"TRACKTRY_TLS_KEY", "/env.key"},
                              {"TRACKTRY_TLS_CLIENT_CA", "/env-ca.pem"},
                              {"TRACKTRY_AUTH_TOKENS_FILE", "/env-tokens"},
                              {"TRACKTRY_SHUTDOWN_DELAY", "3s"},
                              {"TRACKTRY_SHUTDOWN_GRACE", "25s"},
                              {"TRACKTRY_REFLECTION", "false"}}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->metrics_listen_address, "0.0.0.0:9464");
  EXPECT_EQ(options->tls_cert_file, "/env.pem");
  EXPECT_EQ(options->tls_key_file, "/flag.key");
  EXPECT_EQ(options->tls_client_ca_file, "/env-ca.pem");
  EXPECT_EQ(options->auth_tokens_file, "/env-tokens");
  EXPECT_EQ(options->shutdown_delay, absl::Seconds(3));
  EXPECT_EQ(options->shutdown_grace, absl::Seconds(25));
  EXPECT_FALSE(options->enable_reflection);
}

TEST(OpsOptionsTest, BadValuesAreInvalidArgument) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--max-message-bytes=12"},
           {"--max-message-bytes=lots"},
           {"--max-concurrent-streams=0"},
           {"--keepalive-time=1s"},
           {"--keepalive-timeout=0s"},
           {"--max-connection-age=forever"},
           {"--shutdown-delay=-1s"},
           // Readiness no longer re-checks the upstream: the flag is gone.
           {"--readiness-probe-interval=10s"}}) {
    SCOPED_TRACE(args[0]);
    EXPECT_THAT(ParseServerOptions(args, Env({})).status(),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(OpsOptionsTest, UsageListsEveryOpsFlag) {
  const std::string usage = ServerUsage();
  for (const char* flag :
       {"--metrics-listen", "--tls-cert", "--tls-key", "--tls-client-ca",
        "--auth-tokens-file", "--max-message-bytes", "--max-concurrent-streams",
        "--keepalive-time", "--keepalive-timeout", "--max-connection-age",
        "--max-connection-age-grace", "--shutdown-delay", "--shutdown-grace",
        "--reflection"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace tracktry
