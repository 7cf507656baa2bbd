#!/usr/bin/env bash
# make new for part 2 of the loaders (see export.bash).
SHARD=2 SHARDS=4
. "$(dirname "$0")/export.bash"
