#!/usr/bin/env bash
# The drop table again with generator and receiver on one core (see
# drop.sh): writes $OUT/drop1.csv.
DROP_CORES=1 SECTION=drop1 exec "$(dirname "$0")/drop.sh"
