// Copyright 2026 The tracktry-grpc Authors.
//
// JsonLogger: structured logs, one JSON object per line
// ({"time","severity","message", fields...}; fields named like the first
// three are dropped, so they cannot be forged). Registered secrets are
// replaced by "[REDACTED]" wherever they stand as a whole token in the
// message, a field name or a string value (service/errors/
// secret_redaction.h: "key=K", "\"K\"", "?k=K&" are redacted, a longer
// word containing K is not), as a last line of defence: the API key is
// never passed to the logger in the first place.
//
// Lines are written and flushed one by one until StartPeriodicFlush():
// from then on INFO lines collect in a buffer that a background thread
// writes every interval (or sooner when 64 KiB collect), so a busy server
// does not pay a write(2) and wake its log reader per RPC. WARNING and
// ERROR lines, Flush() and the destructor write everything at once.
#ifndef TRACKTRY_SERVICE_OPS_JSON_LOGGER_H_
#define TRACKTRY_SERVICE_OPS_JSON_LOGGER_H_

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace tracktry {

// Thread-safe.
class JsonLogger {
 public:
  // Logs to `out` (not owned; stdout by default).
  explicit JsonLogger(std::FILE* out = stdout) : out_(out) {}
  // Flushes what is buffered and stops the flushing thread.
  ~JsonLogger();
  JsonLogger(const JsonLogger&) = delete;
  JsonLogger& operator=(const JsonLogger&) = delete;

  // Buffers INFO lines from now on and writes them every `interval` (> 0)
  // from a background thread. Call once; a zero interval changes nothing.
  void StartPeriodicFlush(absl::Duration interval);

  // Writes the buffered lines now.
  void Flush();

  // Strings that must never appear in a log line. Every secret added stays
  // registered (a rotated key: old and new); empty ones are ignored.
  void AddSecret(std::string secret);

  // Writes one line. `fields` must be a JSON object (or null).
  void Log(absl::string_view severity, absl::string_view message,
           const nlohmann::json& fields = nullptr);
  void Info(absl::string_view message, const nlohmann::json& fields = nullptr) {
    Log("INFO", message, fields);
  }
  void Warning(absl::string_view message,
               const nlohmann::json& fields = nullptr) {
    Log("WARNING", message, fields);
  }
  void Error(absl::string_view message,
             const nlohmann::json& fields = nullptr) {
    Log("ERROR", message, fields);
  }

  // Writes one line whose fields are JSON object members already written
  // by the Append*Member functions (`"a":1,"b":"x"`), for a hot path (the
  // access log) that would otherwise build an nlohmann object per line.
  // Keys must not be "time", "severity" or "message".
  void LogMembers(absl::string_view severity, absl::string_view message,
                  absl::string_view members);
  // Append `"key":value` to `members`, after a comma unless it is empty.
  // Keys are written as given (plain ASCII); string values are escaped.
  static void AppendStringMember(absl::string_view key, absl::string_view value,
                                 std::string* members);
  static void AppendIntMember(absl::string_view key, int64_t value,
                              std::string* members);
  // With three decimals.
  static void AppendFixedMember(absl::string_view key, double value,
                                std::string* members);
  // Appends `time` in UTC as the "time" field writes it,
  // "2026-12-05T16:20:01.234Z" (milliseconds truncated). The part up to the
  // seconds is formatted once a second per thread, not once a line.
  static void AppendTimestamp(absl::Time time, std::string* out);

 private:
  // The line without its trailing newline, not redacted.
  static std::string Format(absl::string_view severity,
                            absl::string_view message,
                            const nlohmann::json& fields);
  // The same from members already written ("" for none).
  static std::string FormatMembers(absl::string_view severity,
                                   absl::string_view message,
                                   absl::string_view members);
  // Writes `text` (a line without its newline), or, when it holds a
  // registered secret, the line `redacted` returns (called under mu_).
  void Write(absl::string_view severity, std::string text,
             absl::FunctionRef<std::string()> redacted);

  // Writes pending_ to out_ and flushes out_. Requires mu_.
  void WritePendingLocked();

  std::FILE* const out_;
  std::mutex mu_;
  // Lines not yet written (periodic flushing only).
  std::string pending_;
  bool buffered_ = false;
  bool stopping_ = false;
  std::condition_variable stop_;
  std::thread flusher_;
  std::vector<std::string> secrets_;
  // Each secret as written raw and, when different, JSON-escaped: a line
  // holding none of them needs no redaction.
  std::vector<std::string> secret_forms_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_JSON_LOGGER_H_
