// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/json_logger.h"

#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracktry {

void JsonLogger::AddSecret(std::string secret) {
  if (secret.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.push_back(std::move(secret));
}

void JsonLogger::Log(absl::string_view severity, absl::string_view message,
                     const nlohmann::json& fields) {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                  absl::UTCTimeZone());
  line["severity"] = std::string(severity);
  line["message"] = std::string(message);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      line[it.key()] = it.value();
    }
  }
  std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& secret : secrets_) {
    text = absl::StrReplaceAll(text, {{secret, "[REDACTED]"}});
  }
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace tracktry
