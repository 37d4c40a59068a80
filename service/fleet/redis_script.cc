// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/redis_script.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace tracktry::fleet {

std::string RedisMillis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

RedisScript::RedisScript(absl::string_view text) : text_(text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text_.data()), text_.size(),
       digest);
  sha1_ = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace tracktry::fleet
