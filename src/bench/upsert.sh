#!/usr/bin/env bash
# The upsert benchmark (UpsertBench, docs/performance.md): a 2,000,000-row table of the Open-Meteo messages,
# then 200,000 keyed records with new temperatures committed every 20,000, with keys clustered (in the
# order the table was written) and random, and 200,000 new records appended as the baseline. One task's
# writer, one thread, no Kafka; each mode in its own JVM (peak RSS is the mode's).
# Arguments (optional): table rows, stream records, records per commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -ntp -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
for mode in ${UPSERT_BENCH_MODES:-append clustered random}; do
  java -Xmx2g ${UPSERT_BENCH_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/test.classpath)" \
    -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
    io.deltasink.connect.delta.bench.UpsertBench "$mode" "$@"
done
