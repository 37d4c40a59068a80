// Copyright 2026 The tracktry-grpc Authors.
//
// SecretFileWatcher against real files: a Secret updated the kubelet way
// (new data directory, atomic swap of the ..data symlink), a file replaced
// by rename, an in-place rewrite, rejected and unreadable content (the old
// value stays, one warning, never the content), and the polling thread.
#include "service/ops/secret_file_watcher.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/kubelet_secret_dir.h"
#include "tests/testing/log_capture.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::KubeletSecretDir;
using testing::LogCapture;
using ::testing::Not;
using testing::StatusIs;

// Records applied values; rejects empty content like the server does.
class Recorder {
 public:
  SecretFileWatcher::Apply Apply() {
    return [this](const std::string& content) {
      const std::string value(absl::StripAsciiWhitespace(content));
      if (value.empty()) return absl::InvalidArgumentError("the file is empty");
      std::lock_guard<std::mutex> lock(mu_);
      values_.push_back(value);
      return absl::OkStatus();
    };
  }
  std::vector<std::string> values() const {
    std::lock_guard<std::mutex> lock(mu_);
    return values_;
  }
  std::string last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return values_.empty() ? "" : values_.back();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> values_;
};

SecretFileWatcherOptions Options(
    const std::string& path, absl::Duration interval = absl::ZeroDuration()) {
  SecretFileWatcherOptions options;
  options.path = path;
  options.name = "api_key";
  options.interval = interval;
  return options;
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  return static_cast<bool>(out);
}

TEST(SecretFileWatcherTest, StartAppliesTheCurrentContent) {
  KubeletSecretDir dir("api-key", "first-key-0001\n");
  Recorder recorder;
  auto watcher =
      SecretFileWatcher::Start(Options(dir.path()), recorder.Apply(), nullptr);
  ASSERT_THAT(watcher.status(), IsOk());
  EXPECT_EQ(recorder.values(), std::vector<std::string>{"first-key-0001"});
  // Unchanged content is not applied again.
  EXPECT_FALSE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.values().size(), 1u);
}

TEST(SecretFileWatcherTest, StartFailsOnMissingFileOrRejectedContent) {
  Recorder recorder;
  EXPECT_THAT(SecretFileWatcher::Start(Options("/nonexistent/dir/api-key"),
                                       recorder.Apply(), nullptr)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  KubeletSecretDir dir("api-key", "  \n");
  EXPECT_THAT(
      SecretFileWatcher::Start(Options(dir.path()), recorder.Apply(), nullptr)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SecretFileWatcherTest, KubeletSymlinkSwapIsSeen) {
  KubeletSecretDir dir("api-key", "first-key-0001");
  Recorder recorder;
  LogCapture log;
  auto watcher = SecretFileWatcher::Start(Options(dir.path()), recorder.Apply(),
                                          &log.logger());
  ASSERT_THAT(watcher.status(), IsOk());
  ASSERT_TRUE(dir.Update("second-key-0002\n"));
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.last(), "second-key-0002");
  ASSERT_TRUE(dir.Update("third-key-0003"));
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.last(), "third-key-0003");
  EXPECT_EQ((*watcher)->stats().reloads, 2);
  const std::string text = log.Text();
  EXPECT_THAT(text, HasSubstr("\"message\":\"secret file reloaded\""));
  EXPECT_THAT(text, HasSubstr("\"secret\":\"api_key\""));
  EXPECT_THAT(text, Not(HasSubstr("key-000")));
}

TEST(SecretFileWatcherTest, RenameOverAndInPlaceRewriteAreSeen) {
  char dir_template[] = "/tmp/tracktry-watcher-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/key";
  ASSERT_TRUE(WriteFile(path, "first-key-0001"));
  Recorder recorder;
  auto watcher =
      SecretFileWatcher::Start(Options(path), recorder.Apply(), nullptr);
  ASSERT_THAT(watcher.status(), IsOk());
  // Write a new file, rename it over the old one.
  ASSERT_TRUE(WriteFile(dir + "/key.tmp", "second-key-0002"));
  ASSERT_EQ(rename((dir + "/key.tmp").c_str(), path.c_str()), 0);
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.last(), "second-key-0002");
  // Same size, same inode, rewritten at once (mtime may not move).
  ASSERT_TRUE(WriteFile(path, "second-key-0003"));
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.last(), "second-key-0003");
  watcher->reset();
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

TEST(SecretFileWatcherTest, RejectedChangeKeepsOldValueAndWarnsOnce) {
  KubeletSecretDir dir("api-key", "first-key-0001");
  Recorder recorder;
  LogCapture log;
  auto watcher = SecretFileWatcher::Start(Options(dir.path()), recorder.Apply(),
                                          &log.logger());
  ASSERT_THAT(watcher.status(), IsOk());
  ASSERT_TRUE(dir.Update(""));
  EXPECT_FALSE((*watcher)->CheckNow());
  EXPECT_FALSE((*watcher)->CheckNow());  // same bad content: no new warning
  EXPECT_EQ(recorder.values(), std::vector<std::string>{"first-key-0001"});
  EXPECT_EQ((*watcher)->stats().rejected, 1);
  std::string text = log.Text();
  EXPECT_THAT(text, HasSubstr("secret file change rejected"));
  EXPECT_THAT(text, HasSubstr("the file is empty"));
  // A good value afterwards is applied.
  ASSERT_TRUE(dir.Update("second-key-0002"));
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.last(), "second-key-0002");
  EXPECT_THAT(log.Text(), Not(HasSubstr("key-000")));
}

TEST(SecretFileWatcherTest, UnreadableFileKeepsOldValueAndRecovers) {
  char dir_template[] = "/tmp/tracktry-watcher-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/key";
  ASSERT_TRUE(WriteFile(path, "first-key-0001"));
  Recorder recorder;
  LogCapture log;
  auto watcher =
      SecretFileWatcher::Start(Options(path), recorder.Apply(), &log.logger());
  ASSERT_THAT(watcher.status(), IsOk());
  ASSERT_EQ(std::remove(path.c_str()), 0);
  EXPECT_FALSE((*watcher)->CheckNow());
  EXPECT_FALSE((*watcher)->CheckNow());
  EXPECT_EQ((*watcher)->stats().read_errors, 2);
  const std::string text = log.Text();
  EXPECT_THAT(text, HasSubstr("secret file unreadable"));
  // One warning for the whole failing stretch.
  EXPECT_EQ(text.find("unreadable"), text.rfind("unreadable"));
  // The same content coming back changes nothing; a new one is applied.
  ASSERT_TRUE(WriteFile(path, "first-key-0001"));
  EXPECT_FALSE((*watcher)->CheckNow());
  ASSERT_TRUE(WriteFile(path, "second-key-0002"));
  EXPECT_TRUE((*watcher)->CheckNow());
  EXPECT_EQ(recorder.values(),
            (std::vector<std::string>{"first-key-0001", "second-key-0002"}));
  watcher->reset();
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

TEST(SecretFileWatcherTest, OversizedFileIsAReadError) {
  KubeletSecretDir dir("api-key", "first-key-0001");
  Recorder recorder;
  SecretFileWatcherOptions options = Options(dir.path());
  options.max_bytes = 64;
  auto watcher = SecretFileWatcher::Start(options, recorder.Apply(), nullptr);
  ASSERT_THAT(watcher.status(), IsOk());
  ASSERT_TRUE(dir.Update(std::string(100, 'k')));
  EXPECT_FALSE((*watcher)->CheckNow());
  EXPECT_EQ((*watcher)->stats().read_errors, 1);
  EXPECT_EQ(recorder.last(), "first-key-0001");
}

TEST(SecretFileWatcherTest, PollingThreadPicksUpTheChange) {
  KubeletSecretDir dir("api-key", "first-key-0001");
  Recorder recorder;
  auto watcher = SecretFileWatcher::Start(
      Options(dir.path(), absl::Milliseconds(20)), recorder.Apply(), nullptr);
  ASSERT_THAT(watcher.status(), IsOk());
  ASSERT_TRUE(dir.Update("second-key-0002"));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (recorder.last() != "second-key-0002" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(recorder.last(), "second-key-0002");
  // Destruction stops the thread: no apply afterwards.
  watcher->reset();
  ASSERT_TRUE(dir.Update("third-key-0003"));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(recorder.last(), "second-key-0002");
}

}  // namespace
}  // namespace tracktry
