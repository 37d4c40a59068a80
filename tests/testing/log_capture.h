// Copyright 2026 The tracktry-grpc Authors.
//
// LogCapture: a JsonLogger writing to an anonymous temporary file, and
// what it wrote, as text or as parsed lines. For tests of whatever logs
// through a JsonLogger (the logger itself, the access log, the secret
// watcher, the whole server).
#ifndef TRACKTRY_TESTS_TESTING_LOG_CAPTURE_H_
#define TRACKTRY_TESTS_TESTING_LOG_CAPTURE_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "service/ops/json_logger.h"

namespace tracktry::testing {

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  JsonLogger& logger() { return *logger_; }

  // Everything written so far.
  std::string Text();
  // Each non-empty line of Text() parsed as JSON (a discarded value where a
  // line is not JSON).
  std::vector<nlohmann::json> Lines() { return ParseLines(Text()); }

  static std::vector<nlohmann::json> ParseLines(absl::string_view text);

 private:
  std::FILE* const file_;
  // Destroyed (and so flushed) before file_ is closed.
  std::unique_ptr<JsonLogger> logger_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_LOG_CAPTURE_H_
