// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/url_encoding.h"

#include <curl/curl.h>

namespace tracktry {

std::string UrlEncode(absl::string_view value) {
  // libcurl ignores the handle argument of curl_easy_escape since 7.82.
  char* escaped =
      curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size()));
  if (escaped == nullptr) return std::string();
  std::string result(escaped);
  curl_free(escaped);
  return result;
}

}  // namespace tracktry
