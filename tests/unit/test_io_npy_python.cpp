// SPDX-License-Identifier: MIT
/// @file .npy files exchanged with NumPy itself (skipped without /usr/bin/python3 and numpy).
#include <gtest/gtest.h>

#include <cstdlib>

#include "hessnet/io/npy.hpp"
#include "temp_dir.hpp"

namespace hessnet {
namespace {

using test::TempDir;

bool have_numpy() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

/// Runs a Python program with numpy imported as np; true when it exits 0.
bool python(const TempDir& dir, const std::string& program) {
  const auto script = dir.write("script.py", "import numpy as np\n" + program + "\n");
  return std::system(("/usr/bin/python3 " + script).c_str()) == 0;
}

TEST(NpyPython, NumpyReadsAMatrixAndAVectorWrittenByHessnet) {
  if (!have_numpy()) GTEST_SKIP() << "needs /usr/bin/python3 with numpy";
  const TempDir dir;
  RowMatrix m(2, 3);
  m << 0.1, 1.0 / 3.0, 1e-300, 5e-324, -2.5, 1e300;
  save_npy(dir.file("m.npy"), m);
  save_npy(dir.file("v.npy"), Vector::LinSpaced(5, 0.0, 1.0).eval());
  save_npy(dir.file("c.npy"), Matrix(m));
  EXPECT_TRUE(python(dir, "m = np.load('" + dir.file("m.npy") +
                              "')\n"
                              "c = np.load('" +
                              dir.file("c.npy") +
                              "')\n"
                              "v = np.load('" +
                              dir.file("v.npy") +
                              "')\n"
                              "want = np.array([[0.1, 1/3, 1e-300], [5e-324, -2.5, 1e300]])\n"
                              "assert m.dtype == np.float64 and m.shape == (2, 3) and m.flags.c_contiguous\n"
                              "assert (m == want).all() and (c == want).all()\n"
                              "assert v.shape == (5,) and (v == np.linspace(0, 1, 5)).all()"));
}

TEST(NpyPython, HessnetReadsFilesWrittenByNumpy) {
  if (!have_numpy()) GTEST_SKIP() << "needs /usr/bin/python3 with numpy";
  const TempDir dir;
  ASSERT_TRUE(python(dir, "import os\nos.chdir('" + dir.path().string() +
                              "')\n"
                              "a = np.arange(12).reshape(3, 4) / 7.0\n"
                              "np.save('f8.npy', a)\n"
                              "np.save('f4.npy', a.astype(np.float32))\n"
                              "np.save('fortran.npy', np.asfortranarray(a))\n"
                              "np.save('i8.npy', np.arange(12).reshape(3, 4))\n"
                              "np.save('u1.npy', np.arange(12, dtype=np.uint8).reshape(3, 4))\n"
                              "np.save('vec.npy', a[:, 0])\n"
                              "with open('v2.npy', 'wb') as f:\n"
                              "    np.lib.format.write_array(f, a, version=(2, 0))"));
  RowMatrix want(3, 4), counts(3, 4);
  for (Index k = 0; k < 12; ++k) counts.data()[k] = static_cast<double>(k);
  for (Index k = 0; k < 12; ++k) want.data()[k] = static_cast<double>(k) / 7.0;
  EXPECT_EQ(load_npy_matrix(dir.file("f8.npy")), want);
  EXPECT_EQ(load_npy_matrix(dir.file("f4.npy")), want.cast<float>().cast<double>().eval());
  EXPECT_TRUE(read_npy_header(dir.file("fortran.npy")).fortran_order);
  EXPECT_EQ(load_npy_matrix(dir.file("fortran.npy")), want);
  EXPECT_EQ(load_npy_rows(dir.file("fortran.npy"), 1, 3), RowMatrix(want.bottomRows(2)));
  EXPECT_EQ(load_npy_matrix(dir.file("i8.npy")), counts);
  EXPECT_EQ(load_npy_matrix(dir.file("u1.npy")), counts);
  EXPECT_EQ(load_npy_vector(dir.file("vec.npy")), Vector(want.col(0)));
  EXPECT_EQ(read_npy_header(dir.file("v2.npy")).major_version, 2);
  EXPECT_EQ(load_npy_rows(dir.file("v2.npy"), 2, 3), RowMatrix(want.bottomRows(1)));
}

}  // namespace
}  // namespace hessnet
