// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/metrics_registry.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace tracktry {
namespace {

// RPC latency: 5 ms .. 120 s (realtime lookups take tens of seconds).
const prometheus::Histogram::BucketBoundaries& RpcBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  return *buckets;
}

}  // namespace

// The scrape-time metrics registered with AddCallbackMetric and
// AddCallbackHistogram.
class MetricsRegistry::CallbackCollectable final
    : public prometheus::Collectable {
 public:
  void Add(CallbackMetric metric) {
    std::lock_guard<std::mutex> lock(mu_);
    metrics_.push_back(std::move(metric));
    histograms_.emplace_back();
  }
  void Add(CallbackHistogram histogram) {
    std::lock_guard<std::mutex> lock(mu_);
    metrics_.push_back({std::move(histogram.name), std::move(histogram.help),
                        prometheus::MetricType::Histogram,
                        std::move(histogram.labels), nullptr});
    histograms_.push_back(std::move(histogram.read));
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<prometheus::MetricFamily> families;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < metrics_.size(); ++i) {
      const CallbackMetric& metric = metrics_[i];
      auto [it, inserted] = index.emplace(metric.name, families.size());
      if (inserted) {
        prometheus::MetricFamily family;
        family.name = metric.name;
        family.help = metric.help;
        family.type = metric.type;
        families.push_back(std::move(family));
      }
      prometheus::ClientMetric sample;
      for (const auto& [name, value] : metric.labels) {
        sample.label.push_back({name, value});
      }
      const double value = metric.read ? metric.read() : 0.0;
      switch (metric.type) {
        case prometheus::MetricType::Histogram:
          if (histograms_[i]) sample.histogram = histograms_[i]();
          break;
        case prometheus::MetricType::Gauge:
          sample.gauge.value = value;
          break;
        case prometheus::MetricType::Counter:
          sample.counter.value = value;
          break;
        default:
          sample.untyped.value = value;
          break;
      }
      families[it->second].metric.push_back(std::move(sample));
    }
    return families;
  }

 private:
  mutable std::mutex mu_;
  std::vector<CallbackMetric> metrics_;
  // Per metric: its histogram reader (empty for the others).
  std::vector<std::function<prometheus::ClientMetric::Histogram()>> histograms_;
};

// Registry families followed by the callback families.
class MetricsRegistry::CombinedCollectable final
    : public prometheus::Collectable {
 public:
  CombinedCollectable(std::shared_ptr<prometheus::Registry> registry,
                      std::shared_ptr<CallbackCollectable> callbacks)
      : registry_(std::move(registry)), callbacks_(std::move(callbacks)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families = registry_->Collect();
    for (prometheus::MetricFamily& family : callbacks_->Collect()) {
      families.push_back(std::move(family));
    }
    return families;
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  const std::shared_ptr<CallbackCollectable> callbacks_;
};

MetricsRegistry::MetricsRegistry(std::string grpc_service)
    : grpc_service_(std::move(grpc_service)),
      registry_(std::make_shared<prometheus::Registry>()) {
  started_ = &prometheus::BuildCounter()
                  .Name("grpc_server_started_total")
                  .Help("RPCs started on the server.")
                  .Register(*registry_);
  handled_ = &prometheus::BuildCounter()
                  .Name("grpc_server_handled_total")
                  .Help("RPCs completed on the server, by status code.")
                  .Register(*registry_);
  handling_seconds_ =
      &prometheus::BuildHistogram()
           .Name("grpc_server_handling_seconds")
           .Help("RPC latency from start to status, in seconds.")
           .Register(*registry_);
  rpcs_in_flight_ = &prometheus::BuildGauge()
                         .Name("tracktry_rpcs_in_flight")
                         .Help("RPCs started and not yet finished.")
                         .Register(*registry_)
                         .Add({});
  upstream_requests_ =
      &prometheus::BuildCounter()
           .Name("tracktry_upstream_requests_total")
           .Help(
               "Tracktry API calls by endpoint, HTTP status (0 = no "
               "response) and meta.code (none = no envelope).")
           .Register(*registry_);
  upstream_seconds_ = &prometheus::BuildHistogram()
                           .Name("tracktry_upstream_request_duration_seconds")
                           .Help("Tracktry API call latency, in seconds.")
                           .Register(*registry_);
  upstream_in_flight_ = &prometheus::BuildGauge()
                             .Name("tracktry_upstream_in_flight")
                             .Help(
                                 "Tracktry API calls (HTTP transfers) in "
                                 "flight.")
                             .Register(*registry_)
                             .Add({});
  callbacks_ = std::make_shared<CallbackCollectable>();
  collectable_ = std::make_shared<CombinedCollectable>(registry_, callbacks_);
}

prometheus::Counter& MetricsRegistry::CachedCounter(
    prometheus::Family<prometheus::Counter>* family, std::string key,
    absl::FunctionRef<Labels()> labels) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  prometheus::Counter*& counter = counters_[std::move(key)];
  if (counter == nullptr) counter = &family->Add(labels());
  return *counter;
}

prometheus::Histogram& MetricsRegistry::CachedHistogram(
    prometheus::Family<prometheus::Histogram>* family, std::string key,
    absl::FunctionRef<Labels()> labels) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  prometheus::Histogram*& histogram = histograms_[std::move(key)];
  if (histogram == nullptr) histogram = &family->Add(labels(), RpcBuckets());
  return *histogram;
}

void MetricsRegistry::OnRpcStarted(const char* method) {
  CachedCounter(started_, absl::StrCat("s|", method), [&]() -> Labels {
    return {{"grpc_service", grpc_service_}, {"grpc_method", method}};
  }).Increment();
  rpcs_in_flight_->Increment();
}

void MetricsRegistry::OnRpcFinished(const RpcRecord& record) {
  const std::string code = absl::StatusCodeToString(record.code);
  CachedCounter(handled_, absl::StrCat("h|", record.method, "|", code),
                [&]() -> Labels {
                  return {{"grpc_service", grpc_service_},
                          {"grpc_method", record.method},
                          {"grpc_code", code}};
                })
      .Increment();
  CachedHistogram(handling_seconds_, absl::StrCat("l|", record.method),
                  [&]() -> Labels {
                    return {{"grpc_service", grpc_service_},
                            {"grpc_method", record.method}};
                  })
      .Observe(absl::ToDoubleSeconds(record.latency));
  rpcs_in_flight_->Decrement();
}

void MetricsRegistry::OnUpstreamStarted(Endpoint endpoint) {
  upstream_in_flight_->Increment();
}

void MetricsRegistry::OnUpstreamFinished(Endpoint endpoint,
                                         const absl::Status& /*status*/,
                                         const UpstreamOutcome& outcome,
                                         absl::Duration latency) {
  const std::string name = EndpointName(endpoint);
  const std::string status = std::to_string(outcome.http_status);
  const std::string meta = outcome.meta_code.has_value()
                               ? std::to_string(*outcome.meta_code)
                               : "none";
  CachedCounter(
      upstream_requests_, absl::StrCat("u|", name, "|", status, "|", meta),
      [&]() -> Labels {
        return {
            {"endpoint", name}, {"http_status", status}, {"meta_code", meta}};
      })
      .Increment();
  CachedHistogram(upstream_seconds_, absl::StrCat("d|", name), [&]() -> Labels {
    return {{"endpoint", name}};
  }).Observe(absl::ToDoubleSeconds(latency));
  upstream_in_flight_->Decrement();
}

void MetricsRegistry::AddCallbackMetric(
    std::string name, std::string help, prometheus::MetricType type,
    std::map<std::string, std::string> labels, std::function<double()> read) {
  AddCallbackMetric(CallbackMetric{std::move(name), std::move(help), type,
                                   std::move(labels), std::move(read)});
}

void MetricsRegistry::AddCallbackMetric(CallbackMetric metric) {
  callbacks_->Add(std::move(metric));
}

void MetricsRegistry::AddCallbackHistogram(CallbackHistogram histogram) {
  callbacks_->Add(std::move(histogram));
}

std::string MetricsRegistry::Scrape() const {
  return prometheus::TextSerializer().Serialize(collectable_->Collect());
}

}  // namespace tracktry
