// Copyright 2026 The tracktry-grpc Authors.
//
// MetricsRegistry: the service's Prometheus metrics (prometheus-cpp).
//
// Series (docs/operating.md "Metrics"):
//   grpc_server_started_total{grpc_service,grpc_method}            counter
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_code}  counter
//   grpc_server_handling_seconds{grpc_service,grpc_method}         histogram
//   tracktry_rpcs_in_flight                                        gauge
//   tracktry_upstream_requests_total{endpoint,http_status,meta_code} counter
//   tracktry_upstream_request_duration_seconds{endpoint}           histogram
//   tracktry_upstream_in_flight                                    gauge
//   tracktry_ready / tracktry_live (0/1)                            gauges
//   + whatever other components register with AddCallbackMetric (retries,
//     rate-limit waits, cache hits ...), read at scrape time.
//
// Label values are bounded sets (method names, status codes, endpoint
// names, HTTP status and meta.code numbers); no request data is ever used
// as a label, so no customer data or key can reach /metrics.
//
// Thread-safe; the On* methods never block for long (one mutex-protected
// map lookup in prometheus-cpp).
#ifndef TRACKTRY_SERVICE_OPS_METRICS_REGISTRY_H_
#define TRACKTRY_SERVICE_OPS_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "prometheus/client_metric.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_type.h"
#include "prometheus/registry.h"
#include "service/ops/rpc_observer.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/upstream/instrumented_upstream_caller.h"

namespace tracktry {

class MetricsRegistry final : public RpcObserver, public UpstreamCallObserver {
 public:
  // A metric whose value is read from `read` at every scrape.
  struct CallbackMetric {
    std::string name;
    std::string help;
    prometheus::MetricType type = prometheus::MetricType::Counter;
    std::map<std::string, std::string> labels;
    std::function<double()> read;
  };
  // A histogram read from `read` at every scrape: cumulative bucket counts,
  // the last bucket's upper bound +Inf.
  struct CallbackHistogram {
    std::string name;
    std::string help;
    std::map<std::string, std::string> labels;
    std::function<prometheus::ClientMetric::Histogram()> read;
  };

  // `grpc_service` is the grpc_service label of the RPC series.
  explicit MetricsRegistry(
      std::string grpc_service = "tracktry.v1.TrackingService");
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // RpcObserver.
  void OnRpcStarted(const char* method) override;
  void OnRpcFinished(const RpcRecord& record) override;

  // UpstreamCallObserver: one upstream call started / finished.
  void OnUpstreamStarted(Endpoint endpoint) override;
  void OnUpstreamFinished(Endpoint endpoint, const absl::Status& status,
                          const UpstreamOutcome& outcome,
                          absl::Duration latency) override;

  // Registers a scrape-time metric (thread-safe; `read` must be
  // thread-safe, must not block and must outlive the registry's users).
  // Metrics with the same name form one family (same help and type).
  void AddCallbackMetric(CallbackMetric metric);
  // The same, field by field.
  void AddCallbackMetric(std::string name, std::string help,
                         prometheus::MetricType type,
                         std::map<std::string, std::string> labels,
                         std::function<double()> read);
  // The same for a histogram.
  void AddCallbackHistogram(CallbackHistogram histogram);

  // Everything above, for prometheus::Exposer::RegisterCollectable.
  std::shared_ptr<prometheus::Collectable> collectable() const {
    return collectable_;
  }

  // The Prometheus text exposition of all metrics (tests, debugging).
  std::string Scrape() const;

 private:
  class CallbackCollectable;
  class CombinedCollectable;
  using Labels = std::map<std::string, std::string>;

  // family->Add(labels()) looked up by `key` first: Family::Add builds and
  // hashes a label map under the family's lock on every call, which was ~2%
  // of the server's CPU per RPC. Children are never removed, so the cached
  // pointers stay valid.
  prometheus::Counter& CachedCounter(
      prometheus::Family<prometheus::Counter>* family, std::string key,
      absl::FunctionRef<Labels()> labels);
  prometheus::Histogram& CachedHistogram(
      prometheus::Family<prometheus::Histogram>* family, std::string key,
      absl::FunctionRef<Labels()> labels);

  const std::string grpc_service_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* started_;
  prometheus::Family<prometheus::Counter>* handled_;
  prometheus::Family<prometheus::Histogram>* handling_seconds_;
  prometheus::Gauge* rpcs_in_flight_;
  prometheus::Family<prometheus::Counter>* upstream_requests_;
  prometheus::Family<prometheus::Histogram>* upstream_seconds_;
  prometheus::Gauge* upstream_in_flight_;
  std::shared_ptr<CallbackCollectable> callbacks_;
  std::shared_ptr<prometheus::Collectable> collectable_;

  std::mutex cache_mu_;
  // Keyed by the family's initial and the label values.
  absl::flat_hash_map<std::string, prometheus::Counter*> counters_;
  absl::flat_hash_map<std::string, prometheus::Histogram*> histograms_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_METRICS_REGISTRY_H_
