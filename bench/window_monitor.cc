// Copyright 2026 The tracktry-grpc Authors.
#include "bench/window_monitor.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tracktry::bench {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

int64_t Number(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<int64_t>() : 0;
}

// after[key] - before[key] for every numeric member of two objects.
nlohmann::json MapDelta(const nlohmann::json& before,
                        const nlohmann::json& after) {
  nlohmann::json delta = nlohmann::json::object();
  if (!after.is_object()) return delta;
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (!it->is_number()) continue;
    const int64_t was = before.is_object() && before.contains(it.key()) &&
                                before[it.key()].is_number()
                            ? before[it.key()].get<int64_t>()
                            : 0;
    const int64_t value = it->get<int64_t>() - was;
    if (value != 0) delta[it.key()] = value;
  }
  return delta;
}

}  // namespace

absl::StatusOr<ProcessSample> ReadProcessStatus(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) return absl::NotFoundError(absl::StrCat("no process ", pid));
  ProcessSample sample;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &sample.rss_kb);
    } else if (absl::ConsumePrefix(&rest, "Threads:")) {
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &sample.threads);
    }
  }
  return sample;
}

absl::StatusOr<int64_t> ReadProcessCpuMicros(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // fields are counted after the last ')'. utime and stime are fields 14
  // and 15, i.e. the 12th and 13th after "comm".
  const size_t close = line.rfind(')');
  if (close == std::string::npos) {
    return absl::InternalError("unexpected /proc/<pid>/stat");
  }
  const std::vector<absl::string_view> fields = absl::StrSplit(
      absl::string_view(line).substr(close + 1), ' ', absl::SkipEmpty());
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InternalError("unexpected /proc/<pid>/stat");
  }
  static const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  return (utime + stime) * 1000000 / ticks_per_second;
}

absl::StatusOr<nlohmann::json> FetchEmulatorStats(
    const std::string& admin_base) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return absl::UnavailableError("curl_easy_init");
  std::string body;
  const std::string url = absl::StrCat(admin_base, "/_emulator/stats");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  const CURLcode result = curl_easy_perform(easy);
  long status = 0;  // NOLINT
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(easy);
  if (result != CURLE_OK || status != 200) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, " failed: ", curl_easy_strerror(result),
                     " HTTP ", status));
  }
  nlohmann::json stats = nlohmann::json::parse(body, nullptr, false);
  if (stats.is_discarded()) {
    return absl::UnavailableError("emulator stats are not JSON");
  }
  return stats;
}

WindowMonitor::WindowMonitor(std::string emulator_admin, int pid,
                             absl::Duration interval)
    : emulator_admin_(std::move(emulator_admin)),
      pid_(pid),
      interval_(interval) {}

WindowMonitor::~WindowMonitor() { Stop(); }

void WindowMonitor::Start() {
  thread_ = std::thread([this] { Run(); });
}

void WindowMonitor::OnWindowStart() {
  // The snapshot is taken here, before any call of the window starts, so
  // that no upstream request of the window can precede it.
  TakeSnapshot(&stats_before_);
  if (pid_ > 0) {
    if (absl::StatusOr<int64_t> cpu = ReadProcessCpuMicros(pid_); cpu.ok()) {
      cpu_us_start_ = *cpu;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  cv_.notify_all();
}

void WindowMonitor::OnWindowEnd() {
  if (pid_ > 0) {
    if (absl::StatusOr<int64_t> cpu = ReadProcessCpuMicros(pid_); cpu.ok()) {
      cpu_us_end_ = *cpu;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    cv_.notify_all();
  }
  if (stats_before_.has_value()) TakeSnapshot(&stats_after_);
}

void WindowMonitor::TakeSnapshot(std::optional<nlohmann::json>* slot) {
  if (emulator_admin_.empty()) return;
  absl::StatusOr<nlohmann::json> stats = FetchEmulatorStats(emulator_admin_);
  if (stats.ok()) {
    *slot = std::move(*stats);
  } else {
    stats_error_ = std::string(stats.status().message());
  }
}

void WindowMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void WindowMonitor::Sample() {
  if (pid_ <= 0) return;
  absl::StatusOr<ProcessSample> sample = ReadProcessStatus(pid_);
  if (!sample.ok()) return;
  ++samples_;
  rss_kb_last_ = sample->rss_kb;
  rss_kb_max_ = std::max(rss_kb_max_, sample->rss_kb);
  threads_max_ = std::max(threads_max_, sample->threads);
  threads_min_ =
      samples_ == 1 ? sample->threads : std::min(threads_min_, sample->threads);
}

void WindowMonitor::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return started_ || stop_; });
  if (!started_) return;
  lock.unlock();
  Sample();
  lock.lock();
  while (!ended_ && !stop_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                 [this] { return ended_ || stop_; });
    lock.unlock();
    Sample();
    lock.lock();
  }
}

nlohmann::json WindowMonitor::Report() const {
  nlohmann::json report = nlohmann::json::object();
  if (!emulator_admin_.empty()) {
    nlohmann::json upstream = nlohmann::json::object();
    if (stats_before_.has_value() && stats_after_.has_value()) {
      const nlohmann::json& a = *stats_before_;
      const nlohmann::json& b = *stats_after_;
      upstream["requests"] =
          Number(b, "requests_total") - Number(a, "requests_total");
      upstream["rate_limited"] =
          Number(b, "rate_limited_total") - Number(a, "rate_limited_total");
      upstream["by_route"] =
          MapDelta(a.value("requests_by_route", nlohmann::json()),
                   b.value("requests_by_route", nlohmann::json()));
      upstream["by_http_status"] =
          MapDelta(a.value("responses_by_http_status", nlohmann::json()),
                   b.value("responses_by_http_status", nlohmann::json()));
      upstream["by_meta_code"] =
          MapDelta(a.value("responses_by_meta_code", nlohmann::json()),
                   b.value("responses_by_meta_code", nlohmann::json()));
      upstream["connections_accepted"] =
          Number(b, "connections_accepted") - Number(a, "connections_accepted");
      upstream["max_in_flight"] = Number(b, "max_in_flight");
    } else {
      upstream["error"] =
          stats_error_.empty() ? "no stats snapshot" : stats_error_;
    }
    report["upstream"] = std::move(upstream);
  }
  if (pid_ > 0) {
    report["process"] = {{"pid", pid_},
                         {"samples", samples_},
                         {"rss_kb_max", rss_kb_max_},
                         {"rss_kb_last", rss_kb_last_},
                         {"threads_max", threads_max_},
                         {"threads_min", threads_min_}};
    if (cpu_us_start_ >= 0 && cpu_us_end_ >= 0) {
      report["process"]["cpu_us"] = cpu_us_end_ - cpu_us_start_;
    }
  }
  return report;
}

}  // namespace tracktry::bench
