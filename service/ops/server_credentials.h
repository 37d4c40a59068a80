// Copyright 2026 The tracktry-grpc Authors.
//
// MakeServerCredentials: the gRPC listening credentials from PEM files:
// plaintext, TLS, or mutual TLS.
#ifndef TRACKTRY_SERVICE_OPS_SERVER_CREDENTIALS_H_
#define TRACKTRY_SERVICE_OPS_SERVER_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"

namespace tracktry {

struct TlsFiles {
  // PEM certificate chain and private key of the server. Both empty means
  // plaintext; one without the other is an error.
  std::string cert_file;
  std::string key_file;
  // PEM CA bundle. When set (requires cert/key), every client must present
  // a certificate signed by it (mutual TLS); the handshake fails otherwise.
  std::string client_ca_file;
};

// INVALID_ARGUMENT when a file cannot be read, is not PEM, or the
// combination is incomplete. The files are read once, at start.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_SERVER_CREDENTIALS_H_
