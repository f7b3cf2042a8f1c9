// SPDX-License-Identifier: MIT
#pragma once
/// @file Crash-safe file replacement: readers see the old file or the new one, never half.
#include <functional>
#include <ostream>
#include <string>

namespace hessnet {

/// Writes a file through `write` so that `path` is replaced atomically.
///
/// The stream goes to a fresh temporary file in the directory of `path`; that file is flushed,
/// fsync()ed and rename()d over `path`, then the directory is fsync()ed so the rename survives a
/// crash. An existing `path` is untouched until the rename, and the new file keeps its
/// permissions (and owner, where allowed); a symbolic link is followed, so the file it points
/// at is replaced, not the link.
/// @param[in] path   target file; its directory must exist and be writable.
/// @param[in] write  fills the stream; it may throw, and its exception is rethrown.
/// @throws InvalidArgument naming `path` and strerror when any system call fails, or when
///         `path` is (or links to) something other than a regular file, such as a device or a
///         FIFO, which the rename would replace; the temporary file is removed on every failure.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

/// The file a write to `path` replaces: `path` with symbolic links followed, dangling ones
/// too (the file is then created where the link points).
std::string file_behind(const std::string& path);

/// The first half of write_file_atomically, for outputs that must change together: the
/// constructor writes and syncs the temporary file (throwing as write_file_atomically does),
/// commit() renames it onto `path`, and a StagedFile destroyed uncommitted removes it, leaving
/// `path` as it was.
class StagedFile {
 public:
  StagedFile(const std::string& path, const std::function<void(std::ostream&)>& write);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile();
  /// Puts the file in place. @throws InvalidArgument naming the path when the rename fails.
  void commit();

 private:
  std::string path_, target_, temp_;  // temp_ is empty once committed or moved from
};

}  // namespace hessnet
