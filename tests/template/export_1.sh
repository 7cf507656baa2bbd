#!/usr/bin/env bash
# make new for part 1 of the loaders (see export.bash).
SHARD=1 SHARDS=4
. "$(dirname "$0")/export.bash"
