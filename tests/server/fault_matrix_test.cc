// Copyright 2026 The tracktry-grpc Authors.
//
// The fault matrix: every RPC x every upstream fault the emulator can
// inject, through the whole server (rate shaper, circuit breaker, retries,
// coalescing, idempotency) on real sockets. For each cell:
//   * the gRPC code is the one in kMatrix (docs/upstream-discipline.md holds
//     the same table);
//   * the call returns before its deadline (plus scheduling slack): nothing
//     waits past it, retries included;
//   * the server stays healthy: with the fault cleared the same RPC
//     succeeds (for "connection refused", the server stays live and answers
//     the next call just as promptly).
//   * every upstream request the emulator saw was one Send through the rate
//     shaper (one token each): nothing is sent twice behind its back.
// The read cache is off here (a cached answer would hide the fault; the
// cache has its own tests), the breaker threshold is out of reach (its own
// tests open it) and the shaper runs with high rates (it stays in the chain
// but does not slow the matrix down).
//
// After the matrix, the kept-alive-connection drops in detail: a read whose
// connection is dropped is retried through the shaper and never meets the
// upstream's rate limit; a write gets UPSTREAM_OUTCOME_UNKNOWN and a repeat
// with its request_id leaves the tracking created exactly once.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "emulator/emulator.h"
#include "gtest/gtest.h"
#include "service/server/tracktry_server.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/retrying_caller.h"
#include "service/upstream/tracktry_client.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::IsOk;
using testing::ServiceHarness;
using Code = grpc::StatusCode;

enum class Rpc {
  kCreate,
  kGet,
  kUpdate,
  kDelete,
  kBatch,
  kList,
  kRealtime,
  kCarriers,
  kDetect,
};
constexpr Rpc kRpcs[] = {Rpc::kCreate,   Rpc::kGet,      Rpc::kUpdate,
                         Rpc::kDelete,   Rpc::kBatch,    Rpc::kList,
                         Rpc::kRealtime, Rpc::kCarriers, Rpc::kDetect};

const char* RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kCreate:
      return "CreateTracking";
    case Rpc::kGet:
      return "GetTracking";
    case Rpc::kUpdate:
      return "UpdateTracking";
    case Rpc::kDelete:
      return "DeleteTracking";
    case Rpc::kBatch:
      return "BatchCreateTrackings";
    case Rpc::kList:
      return "ListTrackings";
    case Rpc::kRealtime:
      return "GetRealtimeTracking";
    case Rpc::kCarriers:
      return "ListCarriers";
    case Rpc::kDetect:
      return "DetectCarrier";
  }
  return "?";
}

struct Fault {
  const char* name;
  // One emulator fault rule (applies to every route); "" = connection
  // refused (the server points at a closed port instead).
  const char* rule;
  // Expected code for every RPC, and the ErrorInfo reason ("" = not
  // checked: a deadline may be reported by gRPC itself, without details).
  Code code;
  const char* reason;
  // Calls get a short deadline that the fault outlasts.
  bool times_out = false;
  // The request reached the upstream and its answer was lost: writes get
  // UNAVAILABLE UPSTREAM_OUTCOME_UNKNOWN instead (and are never retried).
  bool answer_lost = false;
  // The fault acts once, on the next request on a reused (kept-alive)
  // upstream connection: reads are retried (through the shaper) and
  // succeed; writes fail as answer_lost says.
  bool drops_kept_alive = false;
};

// THE matrix (docs/upstream-discipline.md, docs/errors.md). Exceptions per
// RPC are in ExpectedCode() and ExpectedReason().
const Fault kFaults[] = {
    {"http_500_html", R"({"kind":"http_error","http_status":500})",
     Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
    {"http_502_html", R"({"kind":"http_error","http_status":502})",
     Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
    {"http_503_html", R"({"kind":"http_error","http_status":503})",
     Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
    {"http_429",
     R"({"kind":"meta_error","meta_code":429,"http_status":429,"retry_after_s":1})",
     Code::RESOURCE_EXHAUSTED, "RATE_LIMITED"},
    {"connection_refused", "", Code::UNAVAILABLE, "UPSTREAM_UNREACHABLE"},
    {"reset_mid_body", R"({"kind":"reset_mid_body"})", Code::UNAVAILABLE,
     "UPSTREAM_UNREACHABLE", /*times_out=*/false, /*answer_lost=*/true},
    // (Writes: the server answers UPSTREAM_OUTCOME_UNKNOWN, but the caller's
    // own deadline has passed by then.)
    {"no_response", R"({"kind":"hang"})", Code::DEADLINE_EXCEEDED, "",
     /*times_out=*/true, /*answer_lost=*/true},
    {"trickle",
     R"({"kind":"trickle","trickle_bytes":1,"trickle_interval_ms":200})",
     Code::DEADLINE_EXCEEDED, "", /*times_out=*/true, /*answer_lost=*/true},
    {"truncated_json", R"({"kind":"truncated_json"})", Code::INTERNAL,
     "UPSTREAM_MALFORMED_RESPONSE"},
    {"wrong_shape_no_meta", R"({"kind":"wrong_shape","shape":"meta_missing"})",
     Code::INTERNAL, "UPSTREAM_MALFORMED_RESPONSE"},
    {"wrong_shape_data", R"({"kind":"wrong_shape","shape":"data_number"})",
     Code::INTERNAL, "UPSTREAM_MALFORMED_RESPONSE"},
    {"oversize", R"({"kind":"oversize","oversize_bytes":2097152})",
     Code::INTERNAL, "UPSTREAM_RESPONSE_INVALID"},
    {"drop_after_request", R"({"kind":"drop_after_request","times":1})",
     Code::OK, "", /*times_out=*/false, /*answer_lost=*/true,
     /*drops_kept_alive=*/true},
    {"store_then_drop", R"({"kind":"store_then_drop","times":1})", Code::OK, "",
     /*times_out=*/false, /*answer_lost=*/true,
     /*drops_kept_alive=*/true},
};

bool IsWrite(Rpc rpc) {
  return rpc == Rpc::kCreate || rpc == Rpc::kUpdate || rpc == Rpc::kDelete ||
         rpc == Rpc::kBatch;
}

// DeleteTracking only needs meta.code: a success envelope whose data has
// the wrong shape is still a completed delete.
Code ExpectedCode(Rpc rpc, const Fault& fault) {
  if (rpc == Rpc::kDelete && std::string(fault.name) == "wrong_shape_data") {
    return Code::OK;
  }
  if (fault.drops_kept_alive) {
    return IsWrite(rpc) ? Code::UNAVAILABLE : Code::OK;
  }
  return fault.code;
}

std::string ExpectedReason(Rpc rpc, const Fault& fault) {
  if (fault.answer_lost && IsWrite(rpc) && !fault.times_out) {
    return "UPSTREAM_OUTCOME_UNKNOWN";
  }
  return fault.reason;
}

// Upstream sends: TracktryClient::Send calls, each of which the shaper
// (directly above it) granted one token.
int64_t ClientSends(TracktryServer& server) {
  return server.client()->calls_started();
}
int64_t ShaperTokens(TracktryServer& server) {
  int64_t forwarded = 0;
  for (const auto& rate_class : server.rate_shaper()->Stats().classes) {
    forwarded += rate_class.forwarded;
  }
  return forwarded;
}

constexpr absl::Duration kDeadline = absl::Seconds(5);
constexpr absl::Duration kShortDeadline = absl::Seconds(1);
// Scheduling slack on loaded CI machines (and sanitizer builds).
constexpr absl::Duration kSlack = absl::Milliseconds(400);

// Trackings: variant 0 for the faulted call, 1 for the follow-up call.
std::string Existing(int variant) {
  return absl::StrCat("MATRIX0000", variant);
}
std::string Fresh(int variant) { return absl::StrCat("MATRIXNEW", variant); }

grpc::Status CallRpc(v1::TrackingService::Stub& stub, Rpc rpc, int variant,
                     absl::Duration timeout) {
  auto context = ServiceHarness::Context(timeout);
  switch (rpc) {
    case Rpc::kCreate: {
      v1::CreateTrackingRequest request;
      request.mutable_tracking()->set_carrier_code("dhl");
      request.mutable_tracking()->set_tracking_number(Fresh(variant));
      // With a request_id the idempotency layer is in the path too.
      request.set_request_id(absl::StrCat("matrix-", variant));
      v1::CreateTrackingResponse response;
      return stub.CreateTracking(context.get(), request, &response);
    }
    case Rpc::kGet: {
      v1::GetTrackingRequest request;
      request.set_carrier_code("dhl");
      request.set_tracking_number(Existing(variant));
      v1::GetTrackingResponse response;
      return stub.GetTracking(context.get(), request, &response);
    }
    case Rpc::kUpdate: {
      v1::UpdateTrackingRequest request;
      request.set_carrier_code("dhl");
      request.set_tracking_number(Existing(variant));
      request.mutable_tracking()->set_title("updated");
      request.mutable_update_mask()->add_paths("title");
      v1::UpdateTrackingResponse response;
      return stub.UpdateTracking(context.get(), request, &response);
    }
    case Rpc::kDelete: {
      v1::DeleteTrackingRequest request;
      request.set_carrier_code("dhl");
      request.set_tracking_number(Existing(variant));
      v1::DeleteTrackingResponse response;
      return stub.DeleteTracking(context.get(), request, &response);
    }
    case Rpc::kBatch: {
      v1::BatchCreateTrackingsRequest request;
      for (int i = 0; i < 2; ++i) {
        v1::NewTracking* item = request.add_trackings();
        item->set_carrier_code("dhl");
        item->set_tracking_number(absl::StrCat("MATRIXB", variant, i));
      }
      v1::BatchCreateTrackingsResponse response;
      return stub.BatchCreateTrackings(context.get(), request, &response);
    }
    case Rpc::kList: {
      v1::ListTrackingsRequest request;
      request.set_page_size(10);
      v1::ListTrackingsResponse response;
      return stub.ListTrackings(context.get(), request, &response);
    }
    case Rpc::kRealtime: {
      v1::GetRealtimeTrackingRequest request;
      request.set_carrier_code("dhl");
      request.set_tracking_number(Existing(variant));
      v1::GetRealtimeTrackingResponse response;
      return stub.GetRealtimeTracking(context.get(), request, &response);
    }
    case Rpc::kCarriers: {
      v1::ListCarriersResponse response;
      return stub.ListCarriers(context.get(), v1::ListCarriersRequest(),
                               &response);
    }
    case Rpc::kDetect: {
      v1::DetectCarrierRequest request;
      request.set_tracking_number("1Z999AA10123456784");
      v1::DetectCarrierResponse response;
      return stub.DetectCarrier(context.get(), request, &response);
    }
  }
  return grpc::Status(grpc::StatusCode::UNKNOWN, "unreachable");
}

ServerOptions MatrixOptions() {
  ServerOptions options;
  options.cache.tracking_ttl = absl::ZeroDuration();
  options.cache.carriers_ttl = absl::ZeroDuration();
  options.circuit.failure_threshold = 1000000;
  options.upstream.max_response_bytes = 1 << 20;
  for (auto& limit : options.rate_shaping.limits) {
    limit.rate = 1000;
    limit.burst = 100;
  }
  return options;
}

// A loopback port nothing listens on.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

struct Cell {
  Rpc rpc;
  const Fault* fault;
};

class FaultMatrixTest : public ::testing::TestWithParam<Cell> {
 protected:
  void SetUp() override {
    const Fault& fault = *GetParam().fault;
    if (std::string(fault.rule).empty()) {
      ServerOptions options = MatrixOptions();
      options.listen_address = "127.0.0.1:0";
      options.upstream.base_url =
          absl::StrCat("http://127.0.0.1:", ClosedPort(), "/v1");
      options.upstream.api_key = "matrix-key";
      auto server = TracktryServer::Start(options, nullptr, nullptr);
      ASSERT_THAT(server.status(), IsOk());
      server_ = std::move(*server);
      channel_ =
          grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                              grpc::InsecureChannelCredentials());
      stub_ = v1::TrackingService::NewStub(channel_);
      return;
    }
    harness_ = std::make_unique<ServiceHarness>(MatrixOptions());
    ASSERT_THAT(harness_->Start(), IsOk());
    for (int variant = 0; variant < 2; ++variant) {
      v1::CreateTrackingRequest request;
      request.mutable_tracking()->set_carrier_code("dhl");
      request.mutable_tracking()->set_tracking_number(Existing(variant));
      v1::CreateTrackingResponse response;
      auto context = ServiceHarness::Context();
      ASSERT_TRUE(harness_->stub()
                      .CreateTracking(context.get(), request, &response)
                      .ok());
    }
  }
  void TearDown() override {
    stub_.reset();
    channel_.reset();
    server_.reset();
    if (harness_ != nullptr) harness_->Stop();
  }

  v1::TrackingService::Stub& stub() {
    return harness_ != nullptr ? harness_->stub() : *stub_;
  }
  TracktryServer& server() {
    return harness_ != nullptr ? harness_->server() : *server_;
  }

  std::unique_ptr<ServiceHarness> harness_;
  std::unique_ptr<TracktryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

TEST_P(FaultMatrixTest, DocumentedCodeOnTimeAndHealthyAfterwards) {
  const Rpc rpc = GetParam().rpc;
  const Fault& fault = *GetParam().fault;
  const bool refused = std::string(fault.rule).empty();
  if (!refused) {
    ASSERT_THAT(harness_->emulator().SetFaultsJson(
                    absl::StrCat(R"({"rules":[)", fault.rule, "]}")),
                IsOk());
  }
  const int64_t emulator_before =
      refused ? 0 : harness_->emulator().stats().requests_total;
  const int64_t sends_before = ClientSends(server());
  const int64_t tokens_before = ShaperTokens(server());
  const absl::Duration deadline = fault.times_out ? kShortDeadline : kDeadline;
  const absl::Time start = absl::Now();
  const grpc::Status status = CallRpc(stub(), rpc, 0, deadline);
  const absl::Duration elapsed = absl::Now() - start;

  const Code expected = ExpectedCode(rpc, fault);
  const std::string reason = ExpectedReason(rpc, fault);
  EXPECT_EQ(status.error_code(), expected) << status.error_message();
  if (expected != Code::OK && !reason.empty()) {
    auto info = GetErrorInfo(FromGrpcStatus(status));
    ASSERT_TRUE(info.has_value()) << status.error_message();
    EXPECT_EQ(info->reason(), reason);
  }
  if (!refused && !fault.times_out) {
    // (A timed-out call may be cut before its request leaves.)
    const int64_t sends = ClientSends(server()) - sends_before;
    EXPECT_EQ(harness_->emulator().stats().requests_total - emulator_before,
              sends);
    EXPECT_EQ(ShaperTokens(server()) - tokens_before, sends);
  }
  if (fault.drops_kept_alive) {
    // The fault did act (on a kept-alive connection); a read took a second
    // token for its retry, a write was sent once.
    EXPECT_EQ(harness_->emulator().faults()[0].applied, 1);
    EXPECT_EQ(ClientSends(server()) - sends_before, IsWrite(rpc) ? 1 : 2);
  }
  EXPECT_LT(elapsed, deadline + kSlack);
  if (fault.code == Code::RESOURCE_EXHAUSTED) {
    EXPECT_TRUE(GetRetryDelay(FromGrpcStatus(status)).has_value());
  }
  EXPECT_THAT(status.error_message(),
              ::testing::Not(::testing::HasSubstr(ServiceHarness::kApiKey)));

  // Healthy afterwards.
  EXPECT_TRUE(server().readiness().live());
  if (refused) {
    const absl::Time again = absl::Now();
    EXPECT_EQ(CallRpc(stub(), rpc, 1, kDeadline).error_code(),
              Code::UNAVAILABLE);
    EXPECT_LT(absl::Now() - again, kDeadline);
    return;
  }
  harness_->emulator().ClearFaults();
  const grpc::Status next = CallRpc(stub(), rpc, 1, kDeadline);
  EXPECT_TRUE(next.ok()) << next.error_code() << " " << next.error_message();
}

std::vector<Cell> AllCells() {
  std::vector<Cell> cells;
  for (Rpc rpc : kRpcs) {
    for (const Fault& fault : kFaults) cells.push_back(Cell{rpc, &fault});
  }
  return cells;
}

INSTANTIATE_TEST_SUITE_P(Matrix, FaultMatrixTest,
                         ::testing::ValuesIn(AllCells()),
                         [](const ::testing::TestParamInfo<Cell>& info) {
                           return absl::StrCat(RpcName(info.param.rpc), "_",
                                               info.param.fault->name);
                         });

// --- Kept-alive connections dropped with a request on them ---------------

// The two emulator faults that close a reused connection after reading a
// request: drop_after_request (not applied) and store_then_drop (applied).
class KeptAliveDropTest : public ::testing::TestWithParam<const char*> {
 protected:
  void StartHarness(ServerOptions options) {
    harness_ = std::make_unique<ServiceHarness>(std::move(options));
    ASSERT_THAT(harness_->Start(), IsOk());
  }
  void SetFault(const char* route) {
    ASSERT_THAT(harness_->emulator().SetFaultsJson(absl::StrCat(
                    R"({"rules":[{"route":")", route, R"(","kind":")",
                    GetParam(), R"(","times":1}]})")),
                IsOk());
  }
  emulator::StatsSnapshot Upstream() { return harness_->emulator().stats(); }
  int64_t RouteCount(const char* route) {
    const auto stats = Upstream();
    auto it = stats.requests_by_route.find(route);
    return it == stats.requests_by_route.end() ? 0 : it->second;
  }
  grpc::Status Create(const std::string& number, const std::string& request_id,
                      v1::CreateTrackingResponse* response) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code("dhl");
    request.mutable_tracking()->set_tracking_number(number);
    request.set_request_id(request_id);
    auto context = ServiceHarness::Context(kDeadline);
    return harness_->stub().CreateTracking(context.get(), request, response);
  }
  grpc::Status Get(const std::string& number) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number);
    v1::GetTrackingResponse response;
    auto context = ServiceHarness::Context(absl::Seconds(10));
    return harness_->stub().GetTracking(context.get(), request, &response);
  }

  std::unique_ptr<ServiceHarness> harness_;
};

// The reported incident: a GetTracking whose kept-alive connection the
// upstream dropped went out twice within a millisecond; the second send met
// the upstream's rate limit and the shaper paused the account for two
// minutes. Here the emulator enforces a rate limit the shaper keeps well
// within, so any send without a token shows up as a 429.
TEST_P(KeptAliveDropTest, ReadIsSentOncePerTokenRetriedAndNeverRateLimited) {
  ServerOptions options = MatrixOptions();
  for (auto& limit : options.rate_shaping.limits) {
    limit.rate = 1;  // ~1.03 s between sends with the safety factor
    limit.burst = 1;
  }
  StartHarness(options);
  emulator::RateLimitConfig rate_limit;
  rate_limit.rps = 2;  // one request per 500 ms, Tracktry-style meta 429
  rate_limit.burst = 1;
  ASSERT_THAT(harness_->emulator().SetRateLimit(rate_limit), IsOk());
  // Opens the kept-alive upstream connection.
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create(Existing(0), "", &created).ok());
  SetFault("get");

  const int64_t sends_before = ClientSends(harness_->server());
  const int64_t tokens_before = ShaperTokens(harness_->server());
  const int64_t retries_before = harness_->server().retrying()->retries();
  const grpc::Status status = Get(Existing(0));
  EXPECT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();

  // Two sends (the dropped one and the retry), two tokens, two upstream
  // requests, no 429, no pause.
  EXPECT_EQ(RouteCount("get"), 2);
  EXPECT_EQ(Upstream().faults_by_kind.at(GetParam()), 1);
  EXPECT_EQ(ClientSends(harness_->server()) - sends_before, 2);
  EXPECT_EQ(ShaperTokens(harness_->server()) - tokens_before, 2);
  EXPECT_EQ(harness_->server().retrying()->retries() - retries_before, 1);
  EXPECT_EQ(Upstream().rate_limited_total, 0);
  const RateShaperStats shaper = harness_->server().rate_shaper()->Stats();
  EXPECT_EQ(shaper.upstream_rate_limited, 0);
  EXPECT_EQ(shaper.pauses, 0);
  // Not paused: the next call goes out at the next token.
  const absl::Time start = absl::Now();
  EXPECT_TRUE(Get(Existing(0)).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_EQ(Upstream().rate_limited_total, 0);
}

// A create whose connection drops after the upstream read it: the caller is
// told the outcome is unknown (never ALREADY_EXISTS for its own create, and
// never a second send behind its back). Repeating with the same request_id
// goes upstream once more (only definite answers are remembered): it
// answers ALREADY_EXISTS if the first create was applied (store_then_drop),
// or creates it (drop_after_request). Either way the tracking exists
// exactly once, and later repeats replay that answer without an upstream
// call.
TEST_P(KeptAliveDropTest, CreateIsOutcomeUnknownAndARepeatIsSafe) {
  const bool applied = std::string(GetParam()) == "store_then_drop";
  StartHarness(MatrixOptions());
  // Opens the kept-alive upstream connection.
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create(Existing(0), "", &created).ok());
  const size_t trackings_before = harness_->emulator().tracking_count();
  SetFault("create");

  const grpc::Status first = Create(Fresh(0), "once-1", &created);
  ASSERT_EQ(first.error_code(), Code::UNAVAILABLE) << first.error_message();
  const absl::Status mapped = FromGrpcStatus(first);
  ASSERT_TRUE(GetErrorInfo(mapped).has_value());
  EXPECT_EQ(GetErrorInfo(mapped)->reason(), "UPSTREAM_OUTCOME_UNKNOWN");
  EXPECT_EQ(GetRetryDelay(mapped), std::nullopt);
  EXPECT_THAT(first.error_message(),
              ::testing::HasSubstr("may or may not have applied it"));
  EXPECT_THAT(first.error_message(), ::testing::HasSubstr("request_id"));
  // Sent exactly once.
  EXPECT_EQ(RouteCount("create"), 2);  // the setup's create and this one
  EXPECT_EQ(harness_->emulator().tracking_count(),
            trackings_before + (applied ? 1 : 0));

  // The repeat.
  const grpc::Status repeat = Create(Fresh(0), "once-1", &created);
  EXPECT_EQ(RouteCount("create"), 3);
  if (applied) {
    ASSERT_EQ(repeat.error_code(), Code::ALREADY_EXISTS)
        << repeat.error_message();
    EXPECT_EQ(GetErrorInfo(FromGrpcStatus(repeat))->reason(),
              "TRACKING_ALREADY_EXISTS");
  } else {
    EXPECT_TRUE(repeat.ok()) << repeat.error_message();
  }
  EXPECT_EQ(harness_->emulator().tracking_count(), trackings_before + 1);
  EXPECT_TRUE(Get(Fresh(0)).ok());

  // Later repeats: the definite answer, replayed without an upstream call.
  const grpc::Status again = Create(Fresh(0), "once-1", &created);
  EXPECT_EQ(again.error_code(), repeat.error_code());
  EXPECT_EQ(RouteCount("create"), 3);
  EXPECT_EQ(harness_->emulator().tracking_count(), trackings_before + 1);
}

INSTANTIATE_TEST_SUITE_P(Faults, KeptAliveDropTest,
                         ::testing::Values("drop_after_request",
                                           "store_then_drop"));

}  // namespace
}  // namespace tracktry
