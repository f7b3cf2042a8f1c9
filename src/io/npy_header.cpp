// SPDX-License-Identifier: MIT
#include "hessnet/io/npy_header.hpp"

#include <algorithm>
#include <cstring>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

/// Recursive-descent reader of the Python dict literal in a .npy header.
class DictParser {
 public:
  DictParser(std::string_view text, const std::string& source) : s_(text), source_(source) {}

  NpyHeader parse() {
    NpyHeader h;
    bool descr = false, order = false, shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"') fail("only simple dtypes are supported, not records");
        h.dtype = string(), descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean(), order = true;
      } else if (key == "shape") {
        h.shape = tuple(), shape = true;
      } else {
        fail("unknown key " + quoted(key));
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    if (peek() != '\0') fail("text after the dict");
    if (!descr || !order || !shape) fail("it needs the keys 'descr', 'fortran_order' and 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    auto text = s_;
    while (!text.empty() && std::strchr(" \n", text.back()) != nullptr) text.remove_suffix(1);
    throw InvalidArgument("'" + source_ + "': bad .npy header: " + why + " in " + escaped(text, 120));
  }
  void skip() {
    while (pos_ < s_.size() && std::strchr(" \t\r\n", s_[pos_]) != nullptr) ++pos_;
  }
  char peek() {
    skip();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const auto end = s_.find(quote, ++pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (s_.substr(pos_, std::strlen(word)) != word) continue;
      pos_ += std::strlen(word);
      return value;
    }
    fail("fortran_order must be True or False");
  }
  std::vector<Index> tuple() {
    std::vector<Index> shape;
    expect('(');
    while (!consume(')')) {
      skip();
      Index d = 0;
      const std::size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (d > (Index{1} << 52)) fail("a dimension is too large");
        d = 10 * d + (s_[pos_++] - '0');
      }
      if (pos_ == start) fail("shape entries must be non-negative integers");
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 long
      shape.push_back(d);
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  std::string_view s_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

}  // namespace

Index NpyHeader::element_count() const {
  Index n = 1;
  for (const Index d : shape) n *= d;
  return n;
}

std::string npy_shape_string(const std::vector<Index>& shape) {
  std::string out("(");
  for (std::size_t k = 0; k < shape.size(); ++k) out.append(k > 0 ? ", " : "").append(std::to_string(shape[k]));
  return out.append(shape.size() == 1 ? ",)" : ")");
}

std::string format_npy_header(const std::vector<Index>& shape) {
  for (const Index d : shape)
    if (d < 0) throw InvalidArgument("negative dimension in .npy shape " + npy_shape_string(shape));
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " + npy_shape_string(shape) + ", }";
  const std::size_t unpadded = 10 + dict.size() + 1;  // magic, version, length, dict, '\n'
  dict.append((64 - unpadded % 64) % 64, ' ').push_back('\n');
  if (dict.size() > 65535) throw InvalidArgument("shape too long for a .npy 1.0 header");
  const char prefix[10] = {'\x93',
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           static_cast<char>(dict.size() & 0xff),
                           static_cast<char>(dict.size() >> 8)};
  return std::string(prefix, 10) + dict;
}

NpyHeader parse_npy_dict(std::string_view dict, const std::string& source) { return DictParser(dict, source).parse(); }

}  // namespace hessnet
