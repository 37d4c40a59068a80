// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/redis_script.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace tracktry::fleet {

RedisScript::RedisScript(absl::string_view text) : text_(text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text_.data()), text_.size(),
       digest);
  sha1_ = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace tracktry::fleet
