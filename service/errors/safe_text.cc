// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/safe_text.h"

#include <cstdint>

namespace tracktry {
namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when
// the bytes there are not a well-formed sequence (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) -> uint8_t {
    return static_cast<uint8_t>(text[k]);
  };
  const size_t left = text.size() - i;
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return left >= 2 && cont(i + 1) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const uint8_t b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const uint8_t b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string SafeText(absl::string_view text, size_t max_bytes,
                     bool replace_control) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = SequenceLength(text, i);
    if (n == 0) {
      if (out.size() + 1 > max_bytes) break;
      out.push_back('?');
      ++i;
      continue;
    }
    if (out.size() + n > max_bytes) break;
    if (n == 1 && replace_control) {
      const char c = text[i];
      out.push_back((static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' '
                                                                        : c);
    } else {
      out.append(text.data() + i, n);
    }
    i += n;
  }
  return out;
}

size_t ValidUtf8PrefixLength(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = SequenceLength(text, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

}  // namespace tracktry
