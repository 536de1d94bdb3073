#!/usr/bin/env bash
# The soak benchmark (SoakBench, see docs/performance.md): one table's life in fast forward. One task's
# writer in this JVM, 6 partitions of one topic, a few real temperature messages per partition per round,
# one Delta commit (preCommit) per round; every window of commits prints one row: commit p50/p99/max,
# checkpoints, live files and their average size, _delta_log files and bytes, heap after GC, RSS.
# Rows also go to target/soak/soak-<time>.csv and .md; the table (under target/soak) is deleted at the end.
#
# Arguments: commits (default 50000), then any -D options, for example
#   bash src/bench/soak.sh 50000 -Dsoak.compaction=false
#   bash src/bench/soak.sh 50000 -Dsoak.compaction=true -Dsoak.connector.delta.compaction.min.files=20
#   bash src/bench/soak.sh 2000 -Dsoak.window=500          (the connector's defaults)
# Options: -Dsoak.window= (commits per row, default 5000), -Dsoak.records.per.partition= (default 20),
#   -Dsoak.compaction=true|false (the connector's delta.compaction.enabled; unset: the connector's default),
#   -Dsoak.connector.<key>=<value> (any connector setting), -Dsoak.table=<empty dir>, -Dsoak.keep=true,
#   -Dsoak.out=<dir> (default target/soak), -Dsoak.min.free.gb= (stop when the disk has less left, default
#   10: without compaction _delta_log grows with the square of the versions, tens of GB at 50,000).
#   JVM options through SOAK_OPTS (default heap -Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/../.."
commits=50000
props=()
for a in "$@"; do
  case "$a" in
    -D*) props+=("$a") ;;
    *) commits="$a" ;;
  esac
done
mvn -B -q -ntp -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
label="code at $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
exec java -Xmx1g ${SOAK_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/test.classpath)" \
  -Dlog4j2.configurationFile=src/bench/soak-log4j2.properties -Dsoak.label="$label" ${props[@]+"${props[@]}"} \
  io.deltasink.connect.delta.bench.SoakBench "$commits"
