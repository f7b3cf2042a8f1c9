// SPDX-License-Identifier: MIT
#include "hessnet/dist/dist_linalg.hpp"

#include <string>
#include <vector>

#include "hessnet/dist/scalapack_api.hpp"

namespace hessnet {

namespace {

std::string shape(const DistMatrix& a) {
  return std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " (nb " + std::to_string(a.block_size()) + ")";
}

void check_matvec(const char* name, const DistMatrix& a, const DistMatrix& x, const DistMatrix& y) {
  const bool fits = x.rows() == a.cols() && x.cols() == 1 && y.rows() == a.rows() && y.cols() == 1 &&
                    x.block_size() == a.block_size() && y.block_size() == a.block_size() && &x.grid() == &a.grid() &&
                    &y.grid() == &a.grid();
  if (!fits) {
    throw DimensionMismatch(std::string(name) + ": A " + shape(a) + ", x " + shape(x) + ", y " + shape(y) +
                            " do not fit on one grid");
  }
}

}  // namespace

double norm_one(const DistMatrix& a) {
  if (a.rows() == 0 || a.cols() == 0) return 0.0;
  const int m = static_cast<int>(a.rows());
  const int n = static_cast<int>(a.cols());
  const int one = 1;
  // pdlange('1') needs LWORK >= Nq0 = local_cols for ja = 1 and csrc = 0.
  std::vector<double> work(static_cast<std::size_t>(a.local_cols() + a.local_rows() + 1));
  return pdlange_("1", &m, &n, a.local_data(), &one, &one, a.desc().data(), work.data(), scalapack::k_one_char);
}

void gemv(double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y) {
  check_matvec("gemv", a, x, y);
  if (a.rows() == 0) return;
  const int m = static_cast<int>(a.rows());
  const int n = static_cast<int>(a.cols());
  const int one = 1;
  pdgemv_("N", &m, &n, &alpha, a.local_data(), &one, &one, a.desc().data(), x.local_data(), &one, &one, x.desc().data(),
          &one, &beta, y.local_data(), &one, &one, y.desc().data(), &one);
}

void symv_lower(double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y) {
  check_matvec("symv_lower", a, x, y);
  if (a.rows() != a.cols()) throw DimensionMismatch("symv_lower: A " + shape(a) + " not square");
  if (a.rows() == 0) return;
  const int n = static_cast<int>(a.rows());
  const int one = 1;
  pdsymv_("L", &n, &alpha, a.local_data(), &one, &one, a.desc().data(), x.local_data(), &one, &one, x.desc().data(),
          &one, &beta, y.local_data(), &one, &one, y.desc().data(), &one);
}

}  // namespace hessnet
