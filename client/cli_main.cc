// Copyright 2026 The tracktry-grpc Authors.
//
// The `tracktry` executable; all logic is in client/cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return tracktry::RunCli(args, std::cout, std::cerr);
}
