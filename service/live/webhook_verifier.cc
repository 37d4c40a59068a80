// Copyright 2026 The tracktry-grpc Authors.
#include "service/live/webhook_verifier.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "openssl/crypto.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"

namespace tracktry {

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

absl::StatusOr<WebhookPush> ParseWebhookBody(absl::string_view body) {
  const size_t first = body.find('{');
  const size_t last = body.rfind('}');
  if (first == absl::string_view::npos || last == absl::string_view::npos ||
      last < first) {
    return absl::InvalidArgumentError("the body holds no JSON object");
  }
  nlohmann::json json = nlohmann::json::parse(body.begin() + first,
                                              body.begin() + last + 1, nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("the body is not a JSON object");
  }
  WebhookPush push;
  auto data = json.find("data");
  if (data != json.end() && data->is_array() && !data->empty()) {
    push.data = data->front();
  } else if (data != json.end()) {
    push.data = *data;
  }
  if (!push.data.is_object()) {
    return absl::InvalidArgumentError("the body has no \"data\" object");
  }
  auto verify = json.find("verifyInfo");
  if (verify != json.end() && verify->is_object()) {
    auto time_str = verify->find("timeStr");
    if (time_str != verify->end()) {
      if (time_str->is_string()) {
        push.time_str = time_str->get<std::string>();
      } else if (time_str->is_number_integer() ||
                 time_str->is_number_unsigned()) {
        push.time_str = time_str->dump();
      }
    }
    auto signature = verify->find("signature");
    if (signature != verify->end() && signature->is_string()) {
      push.signature = signature->get<std::string>();
    }
  }
  return push;
}

absl::Status VerifyWebhookPush(const WebhookPush& push, absl::string_view key,
                               absl::Time now, absl::Duration max_skew) {
  if (key.empty()) {
    return absl::UnauthenticatedError("no webhook key is configured");
  }
  if (push.signature.empty() || push.time_str.empty()) {
    return absl::UnauthenticatedError("verifyInfo is missing");
  }
  const std::string expected = HmacSha256Hex(key, push.time_str);
  const std::string given = absl::AsciiStrToLower(push.signature);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError("bad webhook signature");
  }
  int64_t stamp = 0;
  if (!absl::SimpleAtoi(push.time_str, &stamp) || stamp <= 0) {
    return absl::UnauthenticatedError("verifyInfo.timeStr is not a time");
  }
  const absl::Time time = stamp > int64_t{100000000000}
                              ? absl::FromUnixMillis(stamp)
                              : absl::FromUnixSeconds(stamp);
  if (absl::AbsDuration(now - time) > max_skew) {
    return absl::UnauthenticatedError("verifyInfo.timeStr is stale");
  }
  return absl::OkStatus();
}

}  // namespace tracktry
