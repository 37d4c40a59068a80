// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/http_exchange.h"

#include "absl/strings/match.h"

namespace tracktry::emulator {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(absl::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

absl::string_view Request::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool Request::HasHeader(absl::string_view name) const {
  for (const auto& header : headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

const std::string* Request::Query(absl::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Request::SetTarget(absl::string_view method_in, absl::string_view target) {
  method = std::string(method_in);
  for (char& c : method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  query.clear();
  const size_t question = target.find('?');
  path = PercentDecode(target.substr(0, question), /*plus_is_space=*/false);
  if (question == absl::string_view::npos) return;
  absl::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    absl::string_view pair = rest.substr(0, amp);
    rest = amp == absl::string_view::npos ? absl::string_view()
                                          : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value = eq == absl::string_view::npos
                            ? ""
                            : PercentDecode(pair.substr(eq + 1), true);
    query.emplace_back(std::move(key), std::move(value));
  }
}

}  // namespace tracktry::emulator
