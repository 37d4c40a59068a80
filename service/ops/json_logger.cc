// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/json_logger.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/errors/secret_redaction.h"

namespace tracktry {
namespace {

// `value` as JSON text; invalid UTF-8 becomes U+FFFD rather than an error.
void AppendJson(const nlohmann::json& value, std::string* out) {
  *out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A string JSON writes as-is between quotes: printable ASCII other than
// '"' and '\\'. Anything else goes through nlohmann's escaping.
bool NeedsNoEscaping(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void AppendJsonString(absl::string_view s, std::string* out) {
  if (NeedsNoEscaping(s)) {
    out->push_back('"');
    out->append(s.data(), s.size());
    out->push_back('"');
  } else {
    AppendJson(std::string(s), out);
  }
}

// `"key":` after a comma unless `members` is empty.
void AppendKey(absl::string_view key, std::string* members) {
  if (!members->empty()) members->push_back(',');
  AppendJsonString(key, members);
  members->push_back(':');
}

bool IsReservedKey(const std::string& key) {
  return key == "time" || key == "severity" || key == "message";
}

// `value` with every string (object keys included) redacted.
nlohmann::json RedactJson(const nlohmann::json& value,
                          const std::vector<std::string>& secrets) {
  if (value.is_string()) {
    return RedactSecretTokens(value.get<std::string>(), secrets);
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) {
      out.push_back(RedactJson(item, secrets));
    }
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[RedactSecretTokens(it.key(), secrets)] =
          RedactJson(it.value(), secrets);
    }
    return out;
  }
  return value;
}

}  // namespace

// Buffered lines are written when this much collects, before the interval.
constexpr size_t kFlushBytes = 64 << 10;

JsonLogger::~JsonLogger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

void JsonLogger::StartPeriodicFlush(absl::Duration interval) {
  if (interval <= absl::ZeroDuration()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (buffered_) return;
  buffered_ = true;
  const auto period =
      absl::ToChronoMilliseconds(std::max(interval, absl::Milliseconds(1)));
  flusher_ = std::thread([this, period] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_.wait_for(lock, period, [this] { return stopping_; })) {
      WritePendingLocked();
    }
  });
}

void JsonLogger::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  WritePendingLocked();
}

void JsonLogger::WritePendingLocked() {
  if (pending_.empty()) return;
  std::fwrite(pending_.data(), 1, pending_.size(), out_);
  std::fflush(out_);
  pending_.clear();
}

void JsonLogger::AddSecret(std::string secret) {
  if (secret.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& known : secrets_) {
    if (known == secret) return;
  }
  // How the secret looks inside the JSON line when it holds characters
  // JSON escapes ('"', '\\', non-printable).
  std::string escaped;
  AppendJson(secret, &escaped);
  escaped = escaped.substr(1, escaped.size() - 2);
  if (escaped != secret) secret_forms_.push_back(std::move(escaped));
  secret_forms_.push_back(secret);
  secrets_.push_back(std::move(secret));
}

std::string JsonLogger::Format(absl::string_view severity,
                               absl::string_view message,
                               const nlohmann::json& fields) {
  if (!fields.is_object() || fields.empty()) {
    return FormatMembers(severity, message, "");
  }
  // The three fixed keys are never repeated (a field cannot forge them).
  bool reserved = false;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    reserved = reserved || IsReservedKey(it.key());
  }
  std::string object;
  if (reserved) {
    nlohmann::json rest = fields;
    for (const char* key : {"time", "severity", "message"}) rest.erase(key);
    AppendJson(rest, &object);
  } else {
    AppendJson(fields, &object);
  }
  // "{...}" -> "..." after the fixed keys.
  absl::string_view members(object);
  if (members.size() >= 2) members = members.substr(1, members.size() - 2);
  return FormatMembers(severity, message, members);
}

std::string JsonLogger::FormatMembers(absl::string_view severity,
                                      absl::string_view message,
                                      absl::string_view members) {
  // One line per RPC: each nlohmann dump() costs ~1.6 k instructions, so
  // plain strings are written directly.
  std::string text = "{\"time\":\"";
  AppendTimestamp(absl::Now(), &text);
  text += "\",\"severity\":";
  AppendJsonString(severity, &text);
  text += ",\"message\":";
  AppendJsonString(message, &text);
  if (!members.empty()) {
    text += ',';
    text.append(members.data(), members.size());
  }
  text += '}';
  return text;
}

void JsonLogger::AppendTimestamp(absl::Time time, std::string* out) {
  // absl::FormatTime was a third of an access log line's cost.
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;                  // "2026-12-05T16:20:01"
  const int64_t millis = absl::ToUnixMillis(time);  // rounds down
  const int64_t second =
      millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  if (second != cached_second) {
    cached =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                         absl::UTCTimeZone());
    cached_second = second;
  }
  const int milli = static_cast<int>(millis - second * 1000);
  const char fraction[] = {'.', static_cast<char>('0' + milli / 100),
                           static_cast<char>('0' + milli / 10 % 10),
                           static_cast<char>('0' + milli % 10), 'Z'};
  out->append(cached);
  out->append(fraction, sizeof(fraction));
}

void JsonLogger::AppendStringMember(absl::string_view key,
                                    absl::string_view value,
                                    std::string* members) {
  AppendKey(key, members);
  AppendJsonString(value, members);
}

void JsonLogger::AppendIntMember(absl::string_view key, int64_t value,
                                 std::string* members) {
  AppendKey(key, members);
  absl::StrAppend(members, value);
}

void JsonLogger::AppendFixedMember(absl::string_view key, double value,
                                   std::string* members) {
  AppendKey(key, members);
  if (std::isfinite(value)) {
    absl::StrAppendFormat(members, "%.3f", value);
  } else {
    members->append("null");
  }
}

void JsonLogger::Log(absl::string_view severity, absl::string_view message,
                     const nlohmann::json& fields) {
  Write(severity, Format(severity, message, fields), [&] {
    // Redact the raw strings (whole tokens only) and write the line again,
    // so that a JSON escape next to a secret ("\\nKEY") cannot hide the
    // boundary before it.
    return Format(RedactSecretTokens(std::string(severity), secrets_),
                  RedactSecretTokens(std::string(message), secrets_),
                  RedactJson(fields, secrets_));
  });
}

void JsonLogger::LogMembers(absl::string_view severity,
                            absl::string_view message,
                            absl::string_view members) {
  Write(severity, FormatMembers(severity, message, members), [&] {
    const nlohmann::json fields =
        nlohmann::json::parse(absl::StrCat("{", members, "}"), nullptr,
                              /*allow_exceptions=*/false);
    return Format(RedactSecretTokens(std::string(severity), secrets_),
                  RedactSecretTokens(std::string(message), secrets_),
                  RedactJson(fields, secrets_));
  });
}

void JsonLogger::Write(absl::string_view severity, std::string text,
                       absl::FunctionRef<std::string()> redacted) {
  std::lock_guard<std::mutex> lock(mu_);
  // Rare: a secret occurs somewhere in the line.
  if (ContainsSecretSubstring(text, secret_forms_)) text = redacted();
  text.push_back('\n');
  if (buffered_) {
    pending_ += text;
    if (severity == "INFO" && pending_.size() < kFlushBytes) return;
    WritePendingLocked();
    return;
  }
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace tracktry
