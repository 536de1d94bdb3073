#!/usr/bin/env bash
# The sink's own path without Kafka or Connect (SinkPathBench): one task's writer, one thread, the
# temperature messages as ByteArrayConverter delivers them, through the Kusto mapping into a Delta table.
# As StringConverter delivers them: SINK_PATH_OPTS="-Dsink-path.values=string"
# For profiling the connector's cost per record:  SINK_PATH_OPTS="-XX:StartFlightRecording=filename=target/sink-path.jfr,settings=profile"
# Arguments: records per round (default 2000000), rounds (default 5, the first is a warm-up; the median of the others is printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -ntp -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
exec java -Xmx2g ${SINK_PATH_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/test.classpath)" \
  -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
  io.deltasink.connect.delta.bench.SinkPathBench "$@"
