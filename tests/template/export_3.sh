#!/usr/bin/env bash
# make new for part 3 of the loaders (see export.bash).
SHARD=3 SHARDS=4
. "$(dirname "$0")/export.bash"
