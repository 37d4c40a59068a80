// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/secret_file_watcher.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tracktry {
namespace {

std::array<unsigned char, 32> Sha256(const std::string& text) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  return digest;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SecretFileWatcher>> SecretFileWatcher::Start(
    SecretFileWatcherOptions options, Apply apply, JsonLogger* logger) {
  std::unique_ptr<SecretFileWatcher> watcher(
      new SecretFileWatcher(std::move(options), std::move(apply), logger));
  absl::StatusOr<std::string> content = watcher->Read();
  if (!content.ok()) return content.status();
  if (absl::Status applied = watcher->apply_(*content); !applied.ok()) {
    return applied;
  }
  watcher->last_digest_ = Sha256(*content);
  if (watcher->options_.interval > absl::ZeroDuration()) {
    watcher->thread_ = std::thread([w = watcher.get()] { w->Loop(); });
  }
  return watcher;
}

SecretFileWatcher::SecretFileWatcher(SecretFileWatcherOptions options,
                                     Apply apply, JsonLogger* logger)
    : options_(std::move(options)), apply_(std::move(apply)), logger_(logger) {}

SecretFileWatcher::~SecretFileWatcher() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::string> SecretFileWatcher::Read() const {
  std::FILE* file = std::fopen(options_.path.c_str(), "rb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", options_.name, " file ", options_.path,
                     ": ", std::strerror(errno)));
  }
  std::string content;
  char buffer[4096];
  bool too_large = false;
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    if (content.size() + n > options_.max_bytes) {
      too_large = true;
      break;
    }
    content.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", options_.name, " file ", options_.path));
  }
  if (too_large) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, " file ", options_.path, " is larger than ",
                     options_.max_bytes, " bytes"));
  }
  return content;
}

bool SecretFileWatcher::CheckNow() {
  std::lock_guard<std::mutex> lock(check_mu_);
  absl::StatusOr<std::string> content = Read();
  if (!content.ok()) {
    ++stats_.read_errors;
    // One warning per failing stretch, not one per poll.
    if (!read_failing_ && logger_ != nullptr) {
      logger_->Warning("secret file unreadable; keeping the previous value",
                       {{"secret", options_.name},
                        {"file", options_.path},
                        {"error", std::string(content.status().message())}});
    }
    read_failing_ = true;
    return false;
  }
  read_failing_ = false;
  const Digest digest = Sha256(*content);
  if (digest == last_digest_) return false;
  last_digest_ = digest;
  const absl::Status applied = apply_(*content);
  if (!applied.ok()) {
    ++stats_.rejected;
    if (logger_ != nullptr) {
      logger_->Warning(
          "secret file change rejected; keeping the previous "
          "value",
          {{"secret", options_.name},
           {"file", options_.path},
           {"error", std::string(applied.message())}});
    }
    return false;
  }
  ++stats_.reloads;
  if (logger_ != nullptr) {
    logger_->Info("secret file reloaded",
                  {{"secret", options_.name}, {"file", options_.path}});
  }
  return true;
}

SecretFileWatcherStats SecretFileWatcher::stats() const {
  std::lock_guard<std::mutex> lock(check_mu_);
  return stats_;
}

void SecretFileWatcher::Loop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    if (stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.interval),
                          [this] { return stopping_; })) {
      break;
    }
    lock.unlock();
    CheckNow();
    lock.lock();
  }
}

}  // namespace tracktry
