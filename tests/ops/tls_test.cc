// Copyright 2026 The tracktry-grpc Authors.
//
// TLS and mutual TLS from certificate/key/CA files. The test generates its
// own CA, server and client certificates with the openssl command line and
// connects with the C++ TrackingClient: success cases and the handshake
// failures (plaintext client, no client certificate, foreign CA).
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/tracking_client.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "service/ops/server_credentials.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::IsOk;
using testing::ServiceHarness;
using testing::StatusIs;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class TlsTest : public ::testing::Test {
 protected:
  // Generates ca, server (SAN localhost + 127.0.0.1), client (signed by
  // ca) and other-ca + other-client (a foreign CA) once for the suite.
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/tracktry-tls-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    const std::string script = absl::StrCat(
        "set -e; cd '", dir_, "'\n",
        "key() { openssl genpkey -algorithm EC -pkeyopt "
        "ec_paramgen_curve:P-256 -out \"$1\" 2>/dev/null; }\n"
        "ca() { key $1.key; openssl req -x509 -new -key $1.key -out $1.pem "
        "-days 2 -subj \"/CN=$1\" -addext basicConstraints=critical,CA:TRUE "
        "-addext keyUsage=critical,keyCertSign,cRLSign; }\n"
        "leaf() { key $1.key; openssl req -new -key $1.key -out $1.csr "
        "-subj \"/CN=$1\"; printf '%s\\n' \"$3\" > $1.ext; "
        "openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key "
        "-CAcreateserial -out $1.pem -days 2 -extfile $1.ext 2>/dev/null; }\n"
        "ca ca; ca other-ca\n"
        "leaf server ca 'subjectAltName=DNS:localhost,IP:127.0.0.1'\n"
        "leaf client ca 'extendedKeyUsage=clientAuth'\n"
        "leaf other-client other-ca 'extendedKeyUsage=clientAuth'\n");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
    ASSERT_NE(ReadFile(dir_ + "/server.pem").find("BEGIN CERTIFICATE"),
              std::string::npos);
  }

  static void TearDownTestSuite() {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  static std::string Path(const std::string& name) {
    return absl::StrCat(dir_, "/", name);
  }

  static ServerOptions TlsOptions(bool mutual) {
    ServerOptions options;
    options.tls_cert_file = Path("server.pem");
    options.tls_key_file = Path("server.key");
    if (mutual) options.tls_client_ca_file = Path("ca.pem");
    return options;
  }

  // A TrackingClient for `target` with TLS trusting ca.pem and, when
  // `client` is not empty, presenting that certificate.
  static std::unique_ptr<TrackingClient> TlsClient(const std::string& target,
                                                   const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(Path("ca.pem"));
    if (!client.empty()) {
      ssl.pem_private_key = ReadFile(Path(client + ".key"));
      ssl.pem_cert_chain = ReadFile(Path(client + ".pem"));
    }
    TrackingClient::Options options;
    options.target = target;
    options.credentials = grpc::SslCredentials(ssl);
    options.default_deadline = absl::Seconds(5);
    options.channel_args.SetSslTargetNameOverride("localhost");
    auto created = TrackingClient::Create(options);
    EXPECT_TRUE(created.ok());
    return std::move(*created);
  }

  static absl::Status ListCarriers(const TrackingClient& client) {
    return client.ListCarriers(v1::ListCarriersRequest()).status();
  }

  static std::string dir_;
};

std::string TlsTest::dir_;

TEST_F(TlsTest, TlsServerServesTlsClient) {
  ServiceHarness harness(TlsOptions(/*mutual=*/false));
  ASSERT_THAT(harness.Start(), IsOk());
  auto client = TlsClient(harness.target(), "");
  EXPECT_THAT(ListCarriers(*client), IsOk());
}

TEST_F(TlsTest, TlsServerRejectsPlaintextClient) {
  ServiceHarness harness(TlsOptions(/*mutual=*/false));
  ASSERT_THAT(harness.Start(), IsOk());
  TrackingClient::Options options;
  options.target = harness.target();
  options.default_deadline = absl::Seconds(3);
  auto client = TrackingClient::Create(options);
  ASSERT_TRUE(client.ok());
  EXPECT_THAT(ListCarriers(**client), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, TlsClientRejectsServerItDoesNotTrust) {
  ServiceHarness harness(TlsOptions(/*mutual=*/false));
  ASSERT_THAT(harness.Start(), IsOk());
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(Path("other-ca.pem"));
  TrackingClient::Options options;
  options.target = harness.target();
  options.credentials = grpc::SslCredentials(ssl);
  options.default_deadline = absl::Seconds(3);
  options.channel_args.SetSslTargetNameOverride("localhost");
  auto client = TrackingClient::Create(options);
  ASSERT_TRUE(client.ok());
  EXPECT_THAT(ListCarriers(**client), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, MutualTlsServesClientWithCertificate) {
  ServiceHarness harness(TlsOptions(/*mutual=*/true));
  ASSERT_THAT(harness.Start(), IsOk());
  auto client = TlsClient(harness.target(), "client");
  EXPECT_THAT(ListCarriers(*client), IsOk());
  v1::CreateTrackingRequest create;
  create.mutable_tracking()->set_carrier_code("dhl");
  create.mutable_tracking()->set_tracking_number("1234567890");
  EXPECT_THAT(client->CreateTracking(create).status(), IsOk());
}

TEST_F(TlsTest, MutualTlsRejectsClientWithoutCertificate) {
  ServiceHarness harness(TlsOptions(/*mutual=*/true));
  ASSERT_THAT(harness.Start(), IsOk());
  auto client = TlsClient(harness.target(), "");
  EXPECT_THAT(ListCarriers(*client), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, MutualTlsRejectsCertificateFromForeignCa) {
  ServiceHarness harness(TlsOptions(/*mutual=*/true));
  ASSERT_THAT(harness.Start(), IsOk());
  auto client = TlsClient(harness.target(), "other-client");
  EXPECT_THAT(ListCarriers(*client), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, IncompleteOrUnreadableFilesAreRejected) {
  TlsFiles only_cert;
  only_cert.cert_file = Path("server.pem");
  EXPECT_THAT(MakeServerCredentials(only_cert).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  TlsFiles only_ca;
  only_ca.client_ca_file = Path("ca.pem");
  EXPECT_THAT(MakeServerCredentials(only_ca).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  TlsFiles missing;
  missing.cert_file = Path("server.pem");
  missing.key_file = Path("no-such.key");
  EXPECT_THAT(MakeServerCredentials(missing).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  TlsFiles not_pem;
  not_pem.cert_file = Path("server.ext");
  not_pem.key_file = Path("server.key");
  EXPECT_THAT(MakeServerCredentials(not_pem).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeServerCredentials(TlsFiles()).status(), IsOk());
}

TEST_F(TlsTest, ServerWithUnreadableKeyDoesNotStart) {
  ServerOptions options = TlsOptions(/*mutual=*/false);
  options.tls_key_file = Path("no-such.key");
  ServiceHarness harness(options);
  EXPECT_THAT(harness.Start(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tracktry
