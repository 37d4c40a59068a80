// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tracktry::testing {

std::string TestdataPath(std::string_view name) {
  return std::string(TRACKTRY_TESTDATA_DIR) + "/" + std::string(name);
}

std::string ReadTestdata(std::string_view name) {
  std::ifstream in(TestdataPath(name), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read testdata %s\n", TestdataPath(name).c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace tracktry::testing
