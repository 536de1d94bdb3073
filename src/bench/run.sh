#!/usr/bin/env bash
# The throughput benchmark, in one command (see docs/performance.md):
#   builds the connector zip, resolves Kafka's broker and Connect runtime (src/quickstart/pom.xml),
#   and runs Bench.java: a KRaft broker and a Connect worker as separate JVMs, 2,000,000 temperature
#   messages, a plain consumer as the ceiling, the connector draining them, and a latency phase.
# Options as system properties through BENCH_OPTS, for example
#   BENCH_OPTS="-Dbench.records=500000 -Dbench.latency.seconds=0" bash src/bench/run.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
label=bench
main_source="src/bench/Bench.java src/bench/DiscardingSinkConnector.java"
source src/quickstart/prepare.sh
exec java -Xmx1g ${BENCH_OPTS:-} -cp "$classes:$cp" Bench "$repo" "$zip" "$repo/target/bench"
