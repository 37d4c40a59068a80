// Copyright 2026 The tracktry-grpc Authors.
//
// ParseServerOptions: flags and environment, precedence, value forms, bad
// values, the API key sources and --help.
#include "service/server/server_options.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

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

TEST(ServerOptionsTest, ProcessEnvReadsTheRealEnvironment) {
  ASSERT_EQ(setenv("TRACKTRY_OPTIONS_TEST_VAR", "value-1", 1), 0);
  EXPECT_EQ(ProcessEnv("TRACKTRY_OPTIONS_TEST_VAR"), "value-1");
  unsetenv("TRACKTRY_OPTIONS_TEST_VAR");
  EXPECT_EQ(ProcessEnv("TRACKTRY_OPTIONS_TEST_VAR"), std::nullopt);
}

}  // namespace
}  // namespace tracktry
