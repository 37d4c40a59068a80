// Copyright 2026 The tracktry-grpc Authors.
//
// KubeletSecretDir: a temporary directory laid out like a mounted
// Kubernetes Secret and updated the way the kubelet updates one:
//
//   <dir>/<name>   -> ..data/<name>            (symlink, never changes)
//   <dir>/..data   -> ..2026_..._<n>           (symlink, swapped)
//   <dir>/..2026_..._<n>/<name>                (the content)
//
// Update() writes a new timestamped directory, points a ..data_tmp symlink
// at it and renames ..data_tmp over ..data (atomic), then removes the old
// directory: the file at path() is never modified in place, so a watch on
// its inode sees nothing.
#ifndef TRACKTRY_TESTS_TESTING_KUBELET_SECRET_DIR_H_
#define TRACKTRY_TESTS_TESTING_KUBELET_SECRET_DIR_H_

#include <string>

namespace tracktry::testing {

class KubeletSecretDir {
 public:
  // Creates the directory with one key `name` holding `content`.
  KubeletSecretDir(const std::string& name, const std::string& content);
  // Removes everything it created.
  ~KubeletSecretDir();
  KubeletSecretDir(const KubeletSecretDir&) = delete;
  KubeletSecretDir& operator=(const KubeletSecretDir&) = delete;

  // Replaces the content (kubelet style). False on a file system error.
  bool Update(const std::string& content);

  // The path a pod reads: <dir>/<name>.
  std::string path() const { return dir_ + "/" + name_; }
  const std::string& dir() const { return dir_; }

 private:
  // Writes a new data directory; returns its name ("" on error).
  std::string WriteDataDir(const std::string& content);

  std::string dir_;
  std::string name_;
  std::string data_dir_;  // Current "..<timestamp>" directory name.
  int generation_ = 0;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_KUBELET_SECRET_DIR_H_
