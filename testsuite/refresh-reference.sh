#!/usr/bin/env bash
# Re-copies the public reference vectors (the JSON files and the FORMAT-*.md notes that say how to
# read them) from ../shared/reference, beside the repository, into the test resources.
# Why a committed copy: the test suite must pass in any clone, CI's and users' included, whether
# or not shared/ lies beside it; and a vector that changes upstream should reach the tests as a
# reviewed commit, not silently. Run this when the vectors change, then commit the result.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src="$root/../shared/reference"
dst="$root/testsuite/src/test/resources/reference"

[[ -d "$src" ]] || { echo "refresh-reference: no $src" >&2; exit 1; }
mkdir -p "$dst"
# Empty the copy first, so that a file removed upstream goes here too.
rm -f "$dst"/*.json "$dst"/FORMAT-*.md
install -m 0644 "$src"/*.json "$src"/FORMAT-*.md "$dst"/
echo "refresh-reference: copied $(ls "$dst" | wc -l) files into ${dst#"$root"/}"
