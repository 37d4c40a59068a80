// Copyright 2026 The tracktry-grpc Authors.
//
// SecretFileWatcher: re-reads a secret file (the upstream API key, the
// caller bearer tokens) when its content changes, so a rotated or fixed
// Kubernetes Secret takes effect without a restart.
//
// It polls: every `interval` it opens the path (following symlinks), reads
// the content and compares its SHA-256 with the last one seen. Polling
// rather than inotify because the kubelet updates a mounted Secret by
// writing a new timestamped directory and atomically renaming a `..data`
// symlink over the old one: an inotify watch on the file keeps watching the
// old inode and never fires, and a watch on the directory must follow the
// symlink layout, re-resolve on IN_MOVED_TO and cope with the mount itself
// changing. A poll sees every way a file can change (kubelet swap, rename
// over, in-place write, bind mounts, network file systems) and costs one
// open/read/close of a few dozen bytes per interval. The content, not
// stat() metadata, decides: mtime granularity can hide a same-size rewrite.
//
// A change is handed to an Apply function, which validates and installs
// the new content. A rejected change (empty file, bad value) and an
// unreadable file keep the previous value and log one warning (the
// content is never logged); the same content is not re-applied until the
// file changes again.
#ifndef TRACKTRY_SERVICE_OPS_SECRET_FILE_WATCHER_H_
#define TRACKTRY_SERVICE_OPS_SECRET_FILE_WATCHER_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/ops/json_logger.h"

namespace tracktry {

struct SecretFileWatcherOptions {
  // The file; symlinks are followed on every read.
  std::string path;
  // What the file holds, for log lines (e.g. "api_key").
  std::string name;
  // Time between checks; zero or negative = no polling thread (CheckNow()
  // only).
  absl::Duration interval = absl::Seconds(5);
  // Larger files are an error (a secret is a few dozen bytes).
  size_t max_bytes = 1 << 20;
};

struct SecretFileWatcherStats {
  // Changes applied / rejected by Apply.
  int64_t reloads = 0;
  int64_t rejected = 0;
  // Checks that could not read the file.
  int64_t read_errors = 0;
};

// Thread-safe.
class SecretFileWatcher {
 public:
  // Validates and installs new content; an error keeps the previous value.
  // Runs on the watcher's thread (or in Start()/CheckNow()); its message is
  // logged, so it must not contain the content.
  using Apply = std::function<absl::Status(const std::string& content)>;

  // Reads the file and applies its content once (so a change between the
  // caller's own read and this one is not lost), then checks it every
  // `interval`. Errors: INVALID_ARGUMENT when the file cannot be read, or
  // Apply's error. `logger` may be null; if not, it must outlive the
  // watcher.
  static absl::StatusOr<std::unique_ptr<SecretFileWatcher>> Start(
      SecretFileWatcherOptions options, Apply apply, JsonLogger* logger);

  // Stops the thread; no Apply runs after it returns.
  ~SecretFileWatcher();
  SecretFileWatcher(const SecretFileWatcher&) = delete;
  SecretFileWatcher& operator=(const SecretFileWatcher&) = delete;

  // One check now. True if the content changed and Apply accepted it.
  bool CheckNow();

  SecretFileWatcherStats stats() const;
  const std::string& path() const { return options_.path; }

 private:
  using Digest = std::array<unsigned char, 32>;

  SecretFileWatcher(SecretFileWatcherOptions options, Apply apply,
                    JsonLogger* logger);
  absl::StatusOr<std::string> Read() const;
  void Loop();

  const SecretFileWatcherOptions options_;
  const Apply apply_;
  JsonLogger* const logger_;

  // Serializes checks; guards the fields below.
  mutable std::mutex check_mu_;
  Digest last_digest_{};
  bool read_failing_ = false;
  SecretFileWatcherStats stats_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_SECRET_FILE_WATCHER_H_
