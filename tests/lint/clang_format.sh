#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every C++ file in git follows .clang-format (run `clang-format -i` on the files it lists).
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
tool="${CLANG_FORMAT:-clang-format}"
cd "$root"
bad=()
while IFS= read -r file; do
  [ -f "$file" ] || continue
  "$tool" --dry-run -Werror "$file" > /dev/null 2>&1 || bad+=("$file")
done < <(git ls-files '*.cpp' '*.hpp')
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not formatted: %s\n' "${bad[@]}"
  echo "FAIL: run $tool -i on the files above"
  exit 1
fi
echo "PASS: every C++ file follows .clang-format"
