// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hessnet/core/error.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "temp_dir.hpp"

namespace hessnet {
namespace {

using test::contains;
using test::message_of;
using test::read_bytes;
using test::TempDir;

TEST(AtomicFile, WritesTheStreamToTheTarget) {
  const TempDir dir;
  const auto path = dir.file("out.txt");
  write_file_atomically(path, [](std::ostream& out) { out << "hello\n" << 42; });
  EXPECT_EQ(read_bytes(path), "hello\n42");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, ReplacesAnExistingFileCompletely) {
  const TempDir dir;
  const auto path = dir.write("out.txt", std::string(100000, 'x'));
  write_file_atomically(path, [](std::ostream& out) { out << "short"; });
  EXPECT_EQ(read_bytes(path), "short");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, KeepsThePermissionsOfTheFileItReplaces) {
  const TempDir dir;
  const auto path = dir.write("private.json", "old");
  namespace fs = std::filesystem;
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomically(path, [](std::ostream& out) { out << "new"; });
  EXPECT_EQ(read_bytes(path), "new");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST(AtomicFile, KeepsTheOwnerOfTheFileItReplacesWhenAllowedTo) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root may give a file to another user";
  const TempDir dir;
  const auto path = dir.write("theirs.json", "old");
  ASSERT_EQ(::chown(path.c_str(), 4321, 4321), 0);
  write_file_atomically(path, [](std::ostream& out) { out << "new"; });
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_uid, 4321u);
  EXPECT_EQ(after.st_gid, 4321u);
}

TEST(AtomicFile, ReplacesTheFileBehindASymbolicLinkAndKeepsTheLink) {
  const TempDir dir;
  std::filesystem::create_directories(dir.path() / "store");
  const auto real = dir.write("store/model.json", "old");
  const auto link = dir.file("model.json");
  std::filesystem::create_symlink("store/model.json", link);
  write_file_atomically(link, [](std::ostream& out) { out << "new"; });
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read_bytes(real), "new");
  EXPECT_EQ(dir.entries(), 2u);
}

TEST(AtomicFile, CreatesTheFileADanglingSymbolicLinkPointsAt) {
  const TempDir dir;
  std::filesystem::create_directories(dir.path() / "store");
  const auto link = dir.file("model.json");
  std::filesystem::create_symlink("store/new.json", link);
  write_file_atomically(link, [](std::ostream& out) { out << "new"; });
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read_bytes(dir.file("store/new.json")), "new");
}

TEST(AtomicFile, RefusesToReplaceAFifoWithAFile) {
  const TempDir dir;
  const auto fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto what =
      message_of<InvalidArgument>([&] { write_file_atomically(fifo, [](std::ostream& out) { out << 1; }); });
  EXPECT_TRUE(contains(what, "not a regular file"));
  EXPECT_EQ(std::filesystem::status(fifo).type(), std::filesystem::file_type::fifo);
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, WritesMoreThanItsBufferHolds) {
  const TempDir dir;
  const auto path = dir.file("big.bin");
  std::string big(1 << 20, '\0');
  for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>(k * 7919 % 251);
  write_file_atomically(path,
                        [&big](std::ostream& out) { out.write(big.data(), static_cast<std::streamsize>(big.size())); });
  EXPECT_EQ(read_bytes(path), big);
}

TEST(AtomicFile, LeavesTheOldFileAndNoTemporaryWhenTheWriterThrows) {
  const TempDir dir;
  const auto path = dir.write("out.txt", "old contents");
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << std::string(200000, 'y');
                                       throw std::runtime_error("writer failed");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read_bytes(path), "old contents");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, ThrowsNamingThePathAndReasonWhenTheDirectoryIsMissing) {
  const TempDir dir;
  const auto path = dir.file("no-such-dir/out.txt");
  const auto what = message_of<InvalidArgument>([&] { write_file_atomically(path, [](std::ostream&) {}); });
  EXPECT_TRUE(contains(what, path));
  EXPECT_TRUE(contains(what, "No such file or directory"));
}

TEST(AtomicFile, ThrowsWhenTheTargetIsADirectoryAndRemovesTheTemporary) {
  const TempDir dir;
  std::filesystem::create_directories(dir.path() / "sub" / "inner");
  const auto path = dir.file("sub");
  const auto what =
      message_of<InvalidArgument>([&] { write_file_atomically(path, [](std::ostream& out) { out << 1; }); });
  EXPECT_TRUE(contains(what, path));
  EXPECT_EQ(dir.entries(), 1u);
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

TEST(AtomicFile, PutsAStagedFileInPlaceOnlyOnCommit) {
  const TempDir dir;
  const auto path = dir.write("g.npy", "old");
  StagedFile staged(path, [](std::ostream& out) { out << "new"; });
  EXPECT_EQ(read_bytes(path), "old");
  staged.commit();
  EXPECT_EQ(read_bytes(path), "new");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, RemovesAStagedFileDroppedUncommittedAndKeepsTheOldFile) {
  const TempDir dir;
  const auto path = dir.write("g.npy", "old");
  {
    const StagedFile staged(path, [](std::ostream& out) { out << "new"; });
  }
  EXPECT_EQ(read_bytes(path), "old");
  EXPECT_EQ(dir.entries(), 1u);
}

}  // namespace
}  // namespace hessnet
