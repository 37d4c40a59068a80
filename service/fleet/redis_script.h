// Copyright 2026 The tracktry-grpc Authors.
//
// RedisScript: a Lua script run with EVALSHA (its SHA-1 computed once), so
// that a multi-key step (read + lease, fill + release + publish, ...) is one
// atomic round trip to Redis. RedisConnection::Eval falls back to EVAL when
// Redis does not know the script yet (NOSCRIPT) and then remembers it.
#ifndef TRACKTRY_SERVICE_FLEET_REDIS_SCRIPT_H_
#define TRACKTRY_SERVICE_FLEET_REDIS_SCRIPT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tracktry::fleet {

class RedisScript {
 public:
  explicit RedisScript(absl::string_view text);

  const std::string& text() const { return text_; }
  // Lower-case hex SHA-1 of the text (what EVALSHA takes).
  const std::string& sha1() const { return sha1_; }

 private:
  std::string text_;
  std::string sha1_;
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_REDIS_SCRIPT_H_
