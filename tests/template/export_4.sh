#!/usr/bin/env bash
# make new for part 4 of the loaders (see export.bash).
SHARD=4 SHARDS=4
. "$(dirname "$0")/export.bash"
