// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryServer assembly: port 0 binding, health ("" and the service)
// SERVING after start and NOT_SERVING on shutdown, reflection listing the
// service, the transport/client/service wiring, and the access log.
#include "service/server/tracktry_server.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/canned_http_transport.h"
#include "tests/testing/fleet_harness.h"
#include "tests/testing/log_capture.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {
namespace {

using testing::CannedHttpTransport;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::IsSupersetOf;
using testing::LogCapture;
using ::testing::Not;
using testing::StatusIs;
using HealthStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

constexpr char kApiKey[] = "server-test-secret-key-77aa";

constexpr char kCarriersBody[] =
    R"({"meta":{"code":200,"type":"Success","message":"ok"},)"
    R"("data":[{"name":"DHL","code":"dhl"},{"name":"UPS","code":"ups"}]})";

ServerOptions LocalOptions() {
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.upstream.base_url = "http://127.0.0.1:1/v1";
  options.upstream.api_key = kApiKey;
  return options;
}

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureChannelCredentials());
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service, HealthStatus* status) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::Status result = stub->Check(&context, request, &response);
  *status = response.status();
  return result;
}

// The service names listed by gRPC reflection (v1alpha), through the
// generated reflection messages linked into the process by the reflection
// library. Fails the test when reflection does not answer.
grpc::Status ListServices(const std::shared_ptr<grpc::Channel>& channel,
                          std::vector<std::string>* names) {
  using google::protobuf::Descriptor;
  using google::protobuf::DescriptorPool;
  using google::protobuf::Message;
  using google::protobuf::MessageFactory;
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  const Descriptor* request_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionRequest");
  const Descriptor* response_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionResponse");
  if (request_type == nullptr || response_type == nullptr) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "reflection messages not linked");
  }
  std::unique_ptr<Message> request(
      MessageFactory::generated_factory()->GetPrototype(request_type)->New());
  std::unique_ptr<Message> response(
      MessageFactory::generated_factory()->GetPrototype(response_type)->New());
  request->GetReflection()->SetString(
      request.get(), request_type->FindFieldByName("list_services"), "*");

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<Message, Message>> stream(
      grpc::internal::ClientReaderWriterFactory<Message, Message>::Create(
          channel.get(), method, &context));
  stream->Write(*request);
  stream->WritesDone();
  while (stream->Read(response.get())) {
    const auto* list_field =
        response_type->FindFieldByName("list_services_response");
    const Message& list =
        response->GetReflection()->GetMessage(*response, list_field);
    const auto* service_field =
        list.GetDescriptor()->FindFieldByName("service");
    const auto* reflection = list.GetReflection();
    for (int i = 0; i < reflection->FieldSize(list, service_field); ++i) {
      const Message& service =
          reflection->GetRepeatedMessage(list, service_field, i);
      names->push_back(service.GetReflection()->GetString(
          service, service.GetDescriptor()->FindFieldByName("name")));
    }
  }
  return stream->Finish();
}

TEST(TracktryServerTest, PortZeroBindsAnEphemeralPort) {
  absl::StatusOr<std::unique_ptr<TracktryServer>> server =
      TracktryServer::Start(
          LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
          nullptr);
  ASSERT_THAT(server, IsOk());
  EXPECT_GT((*server)->port(), 0);
  auto channel = ChannelTo((*server)->port());
  EXPECT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(5)));
}

TEST(TracktryServerTest, FleetTierIsWiredOnlyWithRedisAndFleetOn) {
  testing::RedisTestServer redis;
  ASSERT_THAT(redis.Start(), IsOk());
  for (const auto& [address, on, wired] :
       {std::make_tuple(redis.address(), true, true),
        std::make_tuple(redis.address(), false, false),
        std::make_tuple(std::string(), true, false)}) {
    ServerOptions options = LocalOptions();
    options.rate_shaping.redis_address = address;
    options.fleet.enabled = on;
    absl::StatusOr<std::unique_ptr<TracktryServer>> server =
        TracktryServer::Start(
            options, std::make_unique<CannedHttpTransport>(kCarriersBody),
            nullptr);
    ASSERT_THAT(server, IsOk());
    EXPECT_EQ((*server)->fleet() != nullptr, wired) << address << " " << on;
    if (wired) {
      EXPECT_TRUE(
          testing::WaitUntil([&] { return (*server)->fleet()->healthy(); }));
      EXPECT_TRUE(absl::StrContains((*server)->metrics().Scrape(),
                                    "tracktry_fleet_redis_up"));
    }
  }
}

TEST(TracktryServerTest, TwoServersGetDifferentPorts) {
  auto first = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  auto second = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_NE((*first)->port(), (*second)->port());
}

TEST(TracktryServerTest, UnusableListenAddressIsUnavailable) {
  ServerOptions options = LocalOptions();
  options.listen_address = "256.256.256.256:1";
  EXPECT_THAT(
      TracktryServer::Start(
          options, std::make_unique<CannedHttpTransport>("{}"), nullptr),
      StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TracktryServerTest, HealthIsServingAfterStart) {
  auto server = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  ASSERT_THAT(server, IsOk());
  auto channel = ChannelTo((*server)->port());
  for (const std::string service : {"", kServiceName}) {
    HealthStatus status = grpc::health::v1::HealthCheckResponse::UNKNOWN;
    grpc::Status result = CheckHealth(channel, service, &status);
    ASSERT_TRUE(result.ok())
        << "'" << service << "': " << result.error_message();
    EXPECT_EQ(status, grpc::health::v1::HealthCheckResponse::SERVING)
        << "'" << service << "'";
  }
  HealthStatus status;
  EXPECT_EQ(CheckHealth(channel, "no.such.Service", &status).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(TracktryServerTest, SetServingFalseIsVisibleInHealth) {
  auto server = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  ASSERT_THAT(server, IsOk());
  auto channel = ChannelTo((*server)->port());
  (*server)->SetServing(false);
  for (const std::string service : {"", kServiceName}) {
    HealthStatus status = grpc::health::v1::HealthCheckResponse::UNKNOWN;
    ASSERT_TRUE(CheckHealth(channel, service, &status).ok());
    EXPECT_EQ(status, grpc::health::v1::HealthCheckResponse::NOT_SERVING)
        << "'" << service << "'";
  }
  (*server)->SetServing(true);
  HealthStatus status = grpc::health::v1::HealthCheckResponse::UNKNOWN;
  ASSERT_TRUE(CheckHealth(channel, kServiceName, &status).ok());
  EXPECT_EQ(status, grpc::health::v1::HealthCheckResponse::SERVING);
}

// A Watch stream opened before Shutdown sees the switch to NOT_SERVING.
TEST(TracktryServerTest, ShutdownTurnsHealthNotServing) {
  auto server = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  ASSERT_THAT(server, IsOk());
  auto channel = ChannelTo((*server)->port());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  for (const std::string service : {"", kServiceName}) {
    SCOPED_TRACE("service '" + service + "'");
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    std::unique_ptr<grpc::ClientReader<grpc::health::v1::HealthCheckResponse>>
        watch = stub->Watch(&context, request);
    grpc::health::v1::HealthCheckResponse update;
    ASSERT_TRUE(watch->Read(&update));
    EXPECT_EQ(update.status(), grpc::health::v1::HealthCheckResponse::SERVING);
    if (service.empty()) {
      context.TryCancel();
      watch->Finish();
      continue;
    }
    // Shutdown waits up to its grace for the open Watch; run it aside.
    std::thread stopper([&] { (*server)->Shutdown(absl::Seconds(5)); });
    ASSERT_TRUE(watch->Read(&update));
    EXPECT_EQ(update.status(),
              grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    context.TryCancel();
    watch->Finish();
    stopper.join();
  }
  // Idempotent, and Wait returns once shut down.
  (*server)->Shutdown(absl::ZeroDuration());
  (*server)->Wait();
}

TEST(TracktryServerTest, ReflectionListsTheService) {
  auto server = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
      nullptr);
  ASSERT_THAT(server, IsOk());
  std::vector<std::string> names;
  grpc::Status status = ListServices(ChannelTo((*server)->port()), &names);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(names, IsSupersetOf({std::string(kServiceName),
                                   std::string("grpc.health.v1.Health")}));
}

TEST(TracktryServerTest, ReflectionCanBeTurnedOff) {
  ServerOptions options = LocalOptions();
  options.enable_reflection = false;
  auto server = TracktryServer::Start(
      options, std::make_unique<CannedHttpTransport>(kCarriersBody), nullptr);
  ASSERT_THAT(server, IsOk());
  std::vector<std::string> names;
  grpc::Status status = ListServices(ChannelTo((*server)->port()), &names);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << status.error_message();
}

TEST(TracktryServerTest, RpcGoesThroughClientToTransportWithTheKey) {
  auto transport = std::make_unique<CannedHttpTransport>(kCarriersBody);
  CannedHttpTransport* transport_view = transport.get();
  ServerOptions options = LocalOptions();
  options.upstream.api_key_header = "X-Test-Key";
  auto server = TracktryServer::Start(options, std::move(transport), nullptr);
  ASSERT_THAT(server, IsOk());
  auto stub = v1::TrackingService::NewStub(ChannelTo((*server)->port()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::ListCarriersResponse response;
  grpc::Status status =
      stub->ListCarriers(&context, v1::ListCarriersRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.carriers_size(), 2);
  const std::vector<HttpRequest> requests = transport_view->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].url, ::testing::StartsWith("http://127.0.0.1:1/v1/"));
  EXPECT_THAT(requests[0].headers,
              Contains(std::make_pair(std::string("X-Test-Key"),
                                      std::string(kApiKey))));
  EXPECT_EQ((*server)->client()->calls_started(), 1);
}

// The names of this process's threads that start with `prefix`.
std::vector<std::string> ThreadsNamed(const std::string& prefix) {
  std::vector<std::string> names;
  const std::string tasks = absl::StrCat("/proc/", getpid(), "/task/");
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::FILE* comm =
        std::fopen(absl::StrCat(tasks, entry->d_name, "/comm").c_str(), "r");
    if (comm == nullptr) continue;
    char name[32] = {};
    if (std::fgets(name, sizeof(name), comm) != nullptr) {
      std::string text(name);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      if (absl::StartsWith(text, prefix)) names.push_back(text);
    }
    std::fclose(comm);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(TracktryServerTest, RpcThreadsServeEveryRpcAndStopWithTheServer) {
  ServerOptions options = LocalOptions();
  options.rpc_threads = 3;
  {
    auto server = TracktryServer::Start(
        options, std::make_unique<CannedHttpTransport>(kCarriersBody), nullptr);
    ASSERT_THAT(server, IsOk());
    EXPECT_THAT(ThreadsNamed("rpc-cq-"),
                ::testing::ElementsAre("rpc-cq-0", "rpc-cq-1", "rpc-cq-2"));
    auto channel = ChannelTo((*server)->port());
    auto stub = v1::TrackingService::NewStub(channel);
    for (int i = 0; i < 6; ++i) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(5));
      v1::ListCarriersResponse response;
      grpc::Status status =
          stub->ListCarriers(&context, v1::ListCarriersRequest(), &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(response.carriers_size(), 2);
      HealthStatus health = grpc::health::v1::HealthCheckResponse::UNKNOWN;
      ASSERT_TRUE(CheckHealth(channel, "", &health).ok());
      EXPECT_EQ(health, grpc::health::v1::HealthCheckResponse::SERVING);
    }
  }
  // The server is gone, and its threads with it.
  EXPECT_THAT(ThreadsNamed("rpc-cq-"), ::testing::IsEmpty());
}

TEST(TracktryServerTest, UpstreamEchoOfTheKeyIsRedactedInRpcErrors) {
  const std::string body = absl::StrCat(
      R"({"meta":{"code":4001,"type":"Unauthorized","message":"bad key )",
      kApiKey, R"("},"data":[]})");
  auto server = TracktryServer::Start(
      LocalOptions(), std::make_unique<CannedHttpTransport>(body), nullptr);
  ASSERT_THAT(server, IsOk());
  auto stub = v1::TrackingService::NewStub(ChannelTo((*server)->port()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::ListCarriersResponse response;
  grpc::Status status =
      stub->ListCarriers(&context, v1::ListCarriersRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kApiKey)));
  EXPECT_THAT(status.error_details(), Not(HasSubstr(kApiKey)));
}

TEST(TracktryServerTest, AccessLogGetsOneLinePerRpc) {
  LogCapture log;
  {
    auto server = TracktryServer::Start(
        LocalOptions(), std::make_unique<CannedHttpTransport>(kCarriersBody),
        &log.logger());
    ASSERT_THAT(server, IsOk());
    auto stub = v1::TrackingService::NewStub(ChannelTo((*server)->port()));
    for (int i = 0; i < 2; ++i) {
      grpc::ClientContext context;
      context.AddMetadata("x-request-id", absl::StrCat("rid-", i));
      v1::ListCarriersResponse response;
      ASSERT_TRUE(
          stub->ListCarriers(&context, v1::ListCarriersRequest(), &response)
              .ok());
    }
    (*server)->Shutdown(absl::Seconds(1));
    server->reset();  // every OnDone has run once the server is gone
  }
  const std::string text = log.Text();
  // Other components may log too; count the access lines.
  std::set<std::string> request_ids;
  int access_lines = 0;
  for (const nlohmann::json& parsed : LogCapture::ParseLines(text)) {
    ASSERT_TRUE(parsed.is_object()) << text;
    if (parsed.value("message", "") != "rpc finished") continue;
    EXPECT_EQ(parsed["rpc"], "ListCarriers");
    EXPECT_EQ(parsed["code"], "OK");
    request_ids.insert(parsed.value("request_id", ""));
    ++access_lines;
  }
  EXPECT_EQ(access_lines, 2) << text;
  EXPECT_EQ(request_ids, (std::set<std::string>{"rid-0", "rid-1"}));
}

// --- Cache memory sizing: an unset --cache-max-bytes is a quarter of the
// container's memory limit (a fake cgroup tree here).
class FakeCgroup {
 public:
  explicit FakeCgroup(const std::string& memory_max) {
    char dir[] = "/tmp/tracktry-server-cgroup-XXXXXX";
    if (mkdtemp(dir) != nullptr) root_ = dir;
    if (!memory_max.empty()) {
      std::FILE* file = std::fopen((root_ + "/memory.max").c_str(), "w");
      std::fputs(memory_max.c_str(), file);
      std::fclose(file);
    }
  }
  ~FakeCgroup() {
    std::remove((root_ + "/memory.max").c_str());
    rmdir(root_.c_str());
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

size_t CacheCapOfServerWith(ServerOptions options) {
  auto server = TracktryServer::Start(
      options, std::make_unique<CannedHttpTransport>(kCarriersBody), nullptr);
  EXPECT_THAT(server.status(), IsOk());
  return server.ok() ? (*server)->cache()->stats().max_bytes : 0;
}

TEST(TracktryServerCacheSizeTest, CapIsAQuarterOfTheMemoryLimit) {
  FakeCgroup cgroup("67108864\n");  // 64 MiB
  ServerOptions options = LocalOptions();
  options.cgroup_root = cgroup.root();
  EXPECT_EQ(CacheCapOfServerWith(options), size_t{16} << 20);
}

TEST(TracktryServerCacheSizeTest, NoLimitKeepsTheDefault) {
  FakeCgroup unlimited("max\n");
  ServerOptions options = LocalOptions();
  options.cgroup_root = unlimited.root();
  EXPECT_EQ(CacheCapOfServerWith(options), kDefaultCacheMaxBytes);
  FakeCgroup absent("");
  options.cgroup_root = absent.root();
  EXPECT_EQ(CacheCapOfServerWith(options), kDefaultCacheMaxBytes);
}

TEST(TracktryServerCacheSizeTest, ExplicitCapWins) {
  FakeCgroup cgroup("67108864\n");
  ServerOptions options = LocalOptions();
  options.cgroup_root = cgroup.root();
  options.cache.max_bytes = 1000000;
  EXPECT_EQ(CacheCapOfServerWith(options), 1000000u);
  // 0 keeps its meaning: nothing is stored.
  options.cache.max_bytes = 0;
  EXPECT_EQ(CacheCapOfServerWith(options), 0u);
}

}  // namespace
}  // namespace tracktry
