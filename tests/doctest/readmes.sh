#!/usr/bin/env bash
# Every README recipe marked <!-- doctest --> runs as written and prints
# the output its README shows (scripts/doctest.py).
cd "$(dirname "$0")/../.." || exit 1
exec scripts/doctest.py
