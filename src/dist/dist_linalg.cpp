// SPDX-License-Identifier: MIT
#include "hessnet/dist/dist_linalg.hpp"

#include <string>
#include <vector>

#include "hessnet/dist/collectives.hpp"
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
  symv(Triangle::Lower, alpha, a, x, beta, y);
}

void symv(Triangle triangle, double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y) {
  check_matvec("symv", a, x, y);
  if (a.rows() != a.cols()) throw DimensionMismatch("symv: A " + shape(a) + " not square");
  if (a.rows() == 0) return;
  const int n = static_cast<int>(a.rows());
  const int one = 1;
  pdsymv_(triangle == Triangle::Lower ? "L" : "U", &n, &alpha, a.local_data(), &one, &one, a.desc().data(),
          x.local_data(), &one, &one, x.desc().data(), &one, &beta, y.local_data(), &one, &one, y.desc().data(), &one);
}

Vector gather_row(const DistMatrix& a, Index row, Index c0, Index c1) {
  HESSNET_CHECK(0 <= row && row < a.rows() && 0 <= c0 && c0 <= c1 && c1 <= a.cols(), "gather_row: out of range");
  Vector v = Vector::Zero(c1 - c0);
  if (a.owner_row(row) == a.grid().myrow()) {
    const Index li = a.local_row(row);
    for (Index lj = 0; lj < a.local_cols(); ++lj) {
      const Index j = a.global_col(lj);
      if (j >= c0 && j < c1) v[j - c0] = a.local(li, lj);
    }
  }
  allreduce_sum(a.grid().communicator(), v);  // one owner per entry: the sum is exact
  return v;
}

Vector gather_column(const DistMatrix& a, Index col, Index r0, Index r1) {
  HESSNET_CHECK(0 <= col && col < a.cols() && 0 <= r0 && r0 <= r1 && r1 <= a.rows(), "gather_column: out of range");
  Vector v = Vector::Zero(r1 - r0);
  if (a.owner_col(col) == a.grid().mycol()) {
    const Index lj = a.local_col(col);
    for (Index li = 0; li < a.local_rows(); ++li) {
      const Index i = a.global_row(li);
      if (i >= r0 && i < r1) v[i - r0] = a.local(li, lj);
    }
  }
  allreduce_sum(a.grid().communicator(), v);
  return v;
}

}  // namespace hessnet
