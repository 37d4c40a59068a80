// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "common/error_details.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace tracktry {
namespace {

constexpr unsigned char kTokenVersion = 1;
constexpr size_t kPayloadBytes = 1 + 8 + 8 + 8;
constexpr size_t kTokenBytes = kPayloadBytes + 8;
// Longest base64 text worth decoding (a valid token is 44 characters).
constexpr size_t kMaxTokenChars = 64;

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void AppendLittleEndian(uint64_t value, std::string* out) {
  for (int i = 0; i < 8; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

uint64_t ReadLittleEndian(absl::string_view bytes, size_t offset) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  }
  return value;
}

absl::Status BadToken() {
  return InvalidFieldError("page_token", "malformed page token");
}

}  // namespace

uint64_t ListFilterFingerprint(
    const tracktry::v1::ListTrackingsRequest& request) {
  tracktry::v1::ListTrackingsRequest filters = request;
  filters.clear_page_token();
  filters.clear_page_size();
  // How much of each tracking to return is not a filter.
  filters.clear_view();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    filters.SerializeToCodedStream(&coded);
  }
  return Fnv1a64(bytes);
}

std::string EncodePageToken(const PageTokenState& state) {
  std::string bytes;
  bytes.reserve(kTokenBytes);
  bytes.push_back(static_cast<char>(kTokenVersion));
  AppendLittleEndian(static_cast<uint64_t>(state.page), &bytes);
  AppendLittleEndian(static_cast<uint64_t>(state.page_size), &bytes);
  AppendLittleEndian(state.filter_fingerprint, &bytes);
  AppendLittleEndian(Fnv1a64(bytes), &bytes);
  return absl::WebSafeBase64Escape(bytes);
}

absl::StatusOr<PageTokenState> DecodePageToken(absl::string_view token,
                                               uint64_t expected_fingerprint) {
  if (token.empty() || token.size() > kMaxTokenChars) return BadToken();
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(token, &bytes) ||
      bytes.size() != kTokenBytes ||
      static_cast<unsigned char>(bytes[0]) != kTokenVersion) {
    return BadToken();
  }
  // Re-encoding must give the same text: rejects padding and non-canonical
  // trailing bits, so every token has exactly one spelling.
  if (absl::WebSafeBase64Escape(bytes) != token) return BadToken();
  const absl::string_view payload(bytes.data(), kPayloadBytes);
  if (ReadLittleEndian(bytes, kPayloadBytes) != Fnv1a64(payload)) {
    return BadToken();
  }
  PageTokenState state;
  state.page = static_cast<int64_t>(ReadLittleEndian(bytes, 1));
  state.page_size = static_cast<int64_t>(ReadLittleEndian(bytes, 9));
  state.filter_fingerprint = ReadLittleEndian(bytes, 17);
  if (state.page < 1 || state.page_size < 0) return BadToken();
  if (state.filter_fingerprint != expected_fingerprint) {
    return InvalidFieldError("page_token",
                             "page token does not match the request filters");
  }
  return state;
}

}  // namespace tracktry
