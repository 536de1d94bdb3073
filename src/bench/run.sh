#!/usr/bin/env bash
# The throughput benchmark, in one command (see README, "Performance"):
#   builds the connector zip, resolves Kafka's broker and Connect runtime (src/quickstart/pom.xml),
#   and runs Bench.java: a KRaft broker and a Connect worker as separate JVMs, 2,000,000 temperature
#   messages, a plain consumer as the ceiling, the connector draining them, and a latency phase.
# Options as system properties through BENCH_OPTS, for example
#   BENCH_OPTS="-Dbench.records=500000 -Dbench.latency.seconds=0" bash src/bench/run.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
if [ "${BENCH_SKIP_BUILD:-}" = "1" ] && ls "$repo"/target/deltasink-kafka-connect-delta-*.zip >/dev/null 2>&1; then
  echo "[bench] using the connector zip already built in target/"
else
  echo "[bench] building the connector zip (mvn -DskipTests package)"
  mvn -B -q -ntp -DskipTests package
fi
zip="$(ls "$repo"/target/deltasink-kafka-connect-delta-*.zip | head -n 1)"
mkdir -p "$repo/target"
mvn -B -q -ntp -f src/quickstart/pom.xml dependency:build-classpath -Dmdep.outputFile="$repo/target/quickstart-kafka.classpath"
cp="$(cat "$repo/target/quickstart-kafka.classpath")"
rm -rf "$repo/target/bench-classes"
javac -nowarn -d "$repo/target/bench-classes" -cp "$cp" src/quickstart/LocalKafka.java src/bench/Bench.java
exec java -Xmx1g ${BENCH_OPTS:-} -cp "$repo/target/bench-classes:$cp" Bench "$repo" "$zip" "$repo/target/bench"
