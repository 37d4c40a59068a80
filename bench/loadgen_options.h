// Copyright 2026 The tracktry-grpc Authors.
//
// LoadgenOptions: the command line of tracktry-loadgen (see bench/loadgen.cc
// for the usage text and bench/RESULTS.md for how bench/run drives it).
#ifndef TRACKTRY_BENCH_LOADGEN_OPTIONS_H_
#define TRACKTRY_BENCH_LOADGEN_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tracktry::bench {

struct LoadgenOptions {
  // gRPC target (host:port) of tracktry-server; unused with --direct.
  std::string target;
  // --direct: drive `upstream` (a Tracktry base URL such as
  // http://127.0.0.1:8080/v1) with libcurl instead of the gRPC service.
  bool direct = false;
  std::string upstream;
  // Sent in `api_key_header` in direct mode only. Never printed.
  std::string api_key;
  std::string api_key_header = "Tracktry-Api-Key";
  // Weighted operations, e.g. "get:8,list:1,create:1" (see RpcMix).
  std::string rpc_mix = "get:1";
  // Closed loop: calls kept in flight. Open loop (rate > 0): the cap on
  // outstanding calls; a send due beyond it counts as CLIENT_OVERLOAD.
  int concurrency = 64;
  // Open loop: calls started per second on a fixed schedule; 0 = closed loop.
  double rate = 0;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
  // > 0: stop after this many calls (no warmup, no duration limit).
  int64_t requests = 0;
  // Key space: `numbers` tracking numbers `number_prefix` + 8 digits of
  // carrier `carrier`, drawn Zipf(zipf_s) by rank (0 = uniform).
  int64_t numbers = 10000;
  double zipf_s = 0;
  std::string number_prefix = "BN";
  std::string carrier = "dhl";
  // ListTrackings page size; trackings per BatchCreateTrackings call (in
  // direct mode at most 40, one REST batch call per operation).
  int page_size = 10;
  int batch_items = 40;
  // Batch items are new tracking numbers (like creates) instead of numbers
  // of the key space (which is how bench/run imports the key space).
  bool fresh_batches = false;
  // Sets GetTrackingRequest.bypass_cache / ListCarriersRequest.bypass_cache.
  bool bypass_cache = false;
  // gRPC: every CreateTracking / BatchCreateTrackings carries a request_id
  // (AIP-155) unique to the call.
  bool request_ids = false;
  // gRPC (implies request_ids): a create or batch answered UNAVAILABLE with
  // reason UPSTREAM_OUTCOME_UNKNOWN is repeated once with the same
  // request_id, as docs/errors.md tells callers to; the repeat is reported
  // as operation "create_repeat" / "batch_repeat".
  bool repeat_unknown = false;
  // WatchTracking streams are held this long (their deadline). A stream
  // that delivered its first message and was open until then, or that ended
  // OK (a final tracking), counts as OK.
  absl::Duration watch_hold = absl::Seconds(20);
  // gRPC channels (separate HTTP/2 connections), used round robin.
  int channels = 1;
  // Per-call deadline.
  absl::Duration timeout = absl::Seconds(30);
  uint64_t seed = 1;
  // Emulator admin base URL (http://127.0.0.1:PORT): its /_emulator/stats
  // are read at the start and end of the measured window.
  std::string emulator_admin;
  // A process whose VmRSS and Threads are sampled during the window.
  int watch_pid = 0;
  absl::Duration sample_interval = absl::Milliseconds(100);
  // Machine-readable output.
  bool json = false;
  // Outcomes by operation per interval, as JSON lines (OutcomeTimeline);
  // "" = none.
  std::string timeline;
  absl::Duration timeline_interval = absl::Seconds(5);
  // Start-up mode: run `startup_command` (argv; "{port}" replaced by a free
  // port) this many times and time exec -> health SERVING.
  int startup_runs = 0;
  std::vector<std::string> startup_command;
  absl::Duration startup_timeout = absl::Seconds(5);
  // Where the started command's output goes ("" = /dev/null).
  std::string startup_log;
};

// Parses argv (without argv[0]). Everything after "--" is the start-up
// command. Errors: INVALID_ARGUMENT naming the flag; CANCELLED for --help.
// TRACKTRY_API_KEY is used when --api-key is absent.
absl::StatusOr<LoadgenOptions> ParseLoadgenOptions(
    const std::vector<std::string>& args);

// The --help text.
const char* LoadgenUsage();

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_LOADGEN_OPTIONS_H_
