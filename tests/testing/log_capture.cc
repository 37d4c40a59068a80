// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/log_capture.h"

#include <unistd.h>

#include "absl/strings/str_split.h"

namespace tracktry::testing {

LogCapture::LogCapture()
    : file_(std::tmpfile()), logger_(std::make_unique<JsonLogger>(file_)) {}

LogCapture::~LogCapture() {
  // The logger writes what it still buffers when destroyed.
  logger_.reset();
  if (file_ != nullptr) std::fclose(file_);
}

std::string LogCapture::Text() {
  std::string text;
  if (file_ == nullptr) return text;
  std::fflush(file_);
  // pread leaves the stream's position alone: a logger may be writing
  // from another thread.
  char buffer[4096];
  ssize_t n;
  while ((n = pread(fileno(file_), buffer, sizeof(buffer), text.size())) > 0) {
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

std::vector<nlohmann::json> LogCapture::ParseLines(absl::string_view text) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.push_back(nlohmann::json::parse(line.begin(), line.end(), nullptr,
                                          /*allow_exceptions=*/false));
  }
  return lines;
}

}  // namespace tracktry::testing
