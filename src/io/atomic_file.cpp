// SPDX-License-Identifier: MIT
#include "hessnet/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>
#include <utility>
#include <vector>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw InvalidArgument("cannot " + what + " '" + path + "': " + std::strerror(error));
}

/// An output buffer over a POSIX descriptor that remembers the first write error.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd), buffer_(1 << 16) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!flush_buffer()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return flush_buffer() ? 0 : -1; }

 private:
  bool flush_buffer() {
    const char* data = pbase();
    std::size_t left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      const ssize_t n = ::write(fd_, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        error_ = n < 0 ? errno : EIO;
      else
        data += n, left -= static_cast<std::size_t>(n);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

/// `.name.tmp.<pid>.<counter>.<random>` beside the target: unique across threads and hosts.
std::string temp_name(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  std::string name(".");
  name.append(target.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
  name.append(".").append(std::to_string(counter++)).append(".").append(std::to_string(salt));
  return (target.parent_path() / name).string();
}

/// fsync() of the directory makes the rename durable; filesystems that cannot sync a
/// directory report EINVAL, which is not an error of ours.
void sync_directory(const std::filesystem::path& target, const std::string& path) {
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open the directory of", path, errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0 && error != EINVAL) fail("sync the directory of", path, error);
}

/// The file a write to `path` must replace: a symbolic link is followed (replacing the link
/// itself would cut it from the file the user pointed it at).
}  // namespace

std::string file_behind(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file(path);
  std::error_code error;
  for (int hops = 0; hops < 40 && fs::is_symlink(file, error); ++hops) {  // 40: Linux's own limit
    const fs::path to = fs::read_symlink(file, error);
    if (error) break;
    file = to.is_absolute() ? to : file.parent_path() / to;
  }
  return file.string();
}

StagedFile::StagedFile(const std::string& path, const std::function<void(std::ostream&)>& write) : path_(path) {
  if (path.empty() || std::filesystem::path(path).filename().empty())
    throw InvalidArgument("bad output path '" + path + "'");
  target_ = file_behind(path);
  // A device or FIFO is not replaced by a file (as root, --log /dev/null would be gone).
  struct stat existing {};
  if (::stat(target_.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode) && !S_ISDIR(existing.st_mode))
    throw InvalidArgument("'" + path + "' is not a regular file (a device, FIFO or socket): it cannot be replaced");
  temp_ = temp_name(target_);
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail("create a temporary file for", path, errno);
  // A replaced file keeps its permissions (a private model stays private) and, where we may
  // set it (as root), its owner.
  struct stat old {};
  if (::stat(target_.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (old.st_uid != ::geteuid() || old.st_gid != ::getegid()) (void)!::fchown(fd, old.st_uid, old.st_gid);
    ::fchmod(fd, old.st_mode & 07777);
  }

  int error = 0;
  std::string what;
  try {
    FdBuffer buffer(fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0)
      error = buffer.error(), what = "write";
    else if (!out)
      error = EIO, what = "write";
    else if (::fsync(fd) != 0)
      error = errno, what = "sync";
  } catch (...) {
    ::close(fd);
    ::unlink(temp_.c_str());
    throw;
  }
  if (::close(fd) != 0 && error == 0) error = errno, what = "close";
  if (error != 0) {
    ::unlink(temp_.c_str());
    fail(what, path, error);
  }
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)), target_(std::move(other.target_)), temp_(std::exchange(other.temp_, {})) {}

StagedFile::~StagedFile() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void StagedFile::commit() {
  HESSNET_CHECK(!temp_.empty(), "StagedFile::commit called twice");
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) fail("rename a temporary file onto", path_, errno);
  temp_.clear();
  sync_directory(target_, path_);
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  StagedFile(path, write).commit();
}

}  // namespace hessnet
