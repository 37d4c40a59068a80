// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/time_format.h"

#include <cstdio>
#include <ctime>

namespace tracktry::emulator {
namespace {

std::string Format(int64_t unix_seconds, const char* pattern) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  char buffer[64];
  const size_t n = strftime(buffer, sizeof(buffer), pattern, &tm_utc);
  return std::string(buffer, n);
}

}  // namespace

std::string FormatIsoTime(int64_t unix_seconds) {
  return Format(unix_seconds, "%Y-%m-%dT%H:%M:%S+00:00");
}

std::string FormatCheckpointTime(int64_t unix_seconds) {
  return Format(unix_seconds, "%Y-%m-%d %H:%M:%S");
}

std::optional<int64_t> ParseLooseTime(absl::string_view text) {
  const std::string s(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char sep1 = 0, sep2 = 0;
  int consumed = 0;
  const int n = std::sscanf(s.c_str(), "%4d%c%2d%c%2d%n", &year, &sep1, &month,
                            &sep2, &day, &consumed);
  if (n < 5 || sep1 != sep2 || (sep1 != '/' && sep1 != '-')) {
    return std::nullopt;
  }
  absl::string_view rest = absl::string_view(s).substr(consumed);
  if (!rest.empty()) {
    const std::string tail(rest);
    const int m =
        std::sscanf(tail.c_str(), " %2d:%2d:%2d", &hour, &minute, &second);
    if (m < 2) return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  struct tm tm_utc = {};
  tm_utc.tm_year = year - 1900;
  tm_utc.tm_mon = month - 1;
  tm_utc.tm_mday = day;
  tm_utc.tm_hour = hour;
  tm_utc.tm_min = minute;
  tm_utc.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm_utc));
}

}  // namespace tracktry::emulator
