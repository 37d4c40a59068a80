// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/time_formats.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"

namespace tracktry {
namespace {

// Smallest and largest seconds a google.protobuf.Timestamp may hold
// (0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z).
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

struct DateTimeParts {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int32_t nanos = 0;
  bool has_time = false;
  bool has_zone = false;
  int offset_seconds = 0;  // east of UTC
};

class Cursor {
 public:
  explicit Cursor(absl::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }

  // Reads between min_digits and max_digits decimal digits.
  bool Digits(int min_digits, int max_digits, int* out) {
    int value = 0;
    int count = 0;
    while (count < max_digits && absl::ascii_isdigit(Peek()) && !AtEnd()) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    if (count < min_digits) return false;
    *out = value;
    return true;
  }

  // Reads one or more digits as a fraction of a second (nanoseconds,
  // truncated).
  bool Fraction(int32_t* nanos) {
    int count = 0;
    int32_t value = 0;
    while (absl::ascii_isdigit(Peek()) && !AtEnd()) {
      if (count < 9) value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    if (count == 0) return false;
    for (int i = count; i < 9; ++i) value *= 10;
    *nanos = value;
    return true;
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

// Parses `text` into `parts`. `lenient` allows '/' date separators and
// one-digit month/day/hour.
bool ParseParts(absl::string_view text, bool lenient, DateTimeParts* parts) {
  Cursor cursor(absl::StripAsciiWhitespace(text));
  const int short_digits = lenient ? 1 : 2;
  if (!cursor.Digits(4, 4, &parts->year)) return false;
  const char separator = cursor.Peek();
  if (separator != '-' && !(lenient && separator == '/')) return false;
  cursor.Consume(separator);
  if (!cursor.Digits(short_digits, 2, &parts->month)) return false;
  if (!cursor.Consume(separator)) return false;
  if (!cursor.Digits(short_digits, 2, &parts->day)) return false;
  if (cursor.AtEnd()) return true;

  if (!cursor.Consume('T') && !cursor.Consume('t') && !cursor.Consume(' ')) {
    return false;
  }
  parts->has_time = true;
  if (!cursor.Digits(short_digits, 2, &parts->hour)) return false;
  if (!cursor.Consume(':')) return false;
  if (!cursor.Digits(2, 2, &parts->minute)) return false;
  if (cursor.Consume(':')) {
    if (!cursor.Digits(2, 2, &parts->second)) return false;
    if (cursor.Consume('.') || cursor.Consume(',')) {
      if (!cursor.Fraction(&parts->nanos)) return false;
    }
  }
  if (cursor.AtEnd()) return true;

  if (cursor.Consume('Z') || cursor.Consume('z')) {
    parts->has_zone = true;
  } else if (cursor.Peek() == '+' || cursor.Peek() == '-') {
    const int sign = cursor.Peek() == '-' ? -1 : 1;
    cursor.Consume(cursor.Peek());
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!cursor.Digits(2, 2, &offset_hours)) return false;
    if (!cursor.AtEnd()) {
      cursor.Consume(':');
      if (!cursor.Digits(2, 2, &offset_minutes)) return false;
    }
    if (offset_hours > 23 || offset_minutes > 59) return false;
    parts->has_zone = true;
    parts->offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else {
    return false;
  }
  return cursor.AtEnd();
}

// Validates the ranges of `parts` and returns their civil time.
std::optional<absl::CivilSecond> ToCivil(const DateTimeParts& parts) {
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.hour > 23 ||
      parts.minute > 59 || parts.second > 60) {
    return std::nullopt;
  }
  const absl::CivilDay day(parts.year, parts.month, parts.day);
  if (day.year() != parts.year || day.month() != parts.month ||
      day.day() != parts.day) {
    return std::nullopt;  // e.g. February 30
  }
  const int second = parts.second == 60 ? 59 : parts.second;
  return absl::CivilSecond(parts.year, parts.month, parts.day, parts.hour,
                           parts.minute, second);
}

}  // namespace

std::optional<google::protobuf::Timestamp> ParseZonedTimestamp(
    absl::string_view text) {
  DateTimeParts parts;
  if (!ParseParts(text, /*lenient=*/false, &parts) || !parts.has_time ||
      !parts.has_zone) {
    return std::nullopt;
  }
  const std::optional<absl::CivilSecond> civil = ToCivil(parts);
  if (!civil.has_value()) return std::nullopt;
  const int64_t seconds =
      absl::ToUnixSeconds(absl::FromCivil(*civil, absl::UTCTimeZone())) -
      parts.offset_seconds;
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return std::nullopt;
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(parts.nanos);
  return timestamp;
}

std::optional<absl::CivilSecond> ParseLocalDateTime(absl::string_view text) {
  DateTimeParts parts;
  if (!ParseParts(text, /*lenient=*/true, &parts)) return std::nullopt;
  const std::optional<absl::CivilSecond> civil = ToCivil(parts);
  if (!civil.has_value()) return std::nullopt;
  return *civil - parts.offset_seconds;
}

}  // namespace tracktry
