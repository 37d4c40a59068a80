// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/kubelet_secret_dir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace tracktry::testing {

KubeletSecretDir::KubeletSecretDir(const std::string& name,
                                   const std::string& content)
    : name_(name) {
  char dir[] = "/tmp/tracktry-kubelet-secret-XXXXXX";
  if (mkdtemp(dir) == nullptr) return;
  dir_ = dir;
  data_dir_ = WriteDataDir(content);
  symlink(data_dir_.c_str(), (dir_ + "/..data").c_str());
  symlink(("..data/" + name_).c_str(), path().c_str());
}

KubeletSecretDir::~KubeletSecretDir() {
  if (dir_.empty()) return;
  std::remove(path().c_str());
  std::remove((dir_ + "/..data").c_str());
  std::remove((dir_ + "/..data_tmp").c_str());
  if (!data_dir_.empty()) {
    std::remove(absl::StrCat(dir_, "/", data_dir_, "/", name_).c_str());
    rmdir(absl::StrCat(dir_, "/", data_dir_).c_str());
  }
  rmdir(dir_.c_str());
}

std::string KubeletSecretDir::WriteDataDir(const std::string& content) {
  // The kubelet names them "..<timestamp>.<random>".
  const std::string name =
      absl::StrCat("..2026_01_01_00_00_00.", ++generation_);
  const std::string data_path = absl::StrCat(dir_, "/", name);
  if (mkdir(data_path.c_str(), 0755) != 0) return "";
  std::ofstream out(data_path + "/" + name_, std::ios::binary);
  out << content;
  out.close();
  return out ? name : "";
}

bool KubeletSecretDir::Update(const std::string& content) {
  if (dir_.empty()) return false;
  const std::string next = WriteDataDir(content);
  if (next.empty()) return false;
  const std::string tmp = dir_ + "/..data_tmp";
  std::remove(tmp.c_str());
  if (symlink(next.c_str(), tmp.c_str()) != 0) return false;
  if (rename(tmp.c_str(), (dir_ + "/..data").c_str()) != 0) return false;
  std::remove(absl::StrCat(dir_, "/", data_dir_, "/", name_).c_str());
  rmdir(absl::StrCat(dir_, "/", data_dir_).c_str());
  data_dir_ = next;
  return true;
}

}  // namespace tracktry::testing
