#!/usr/bin/env bash
# The quickstart, in one command, on a machine with only JDK 17+ and Maven:
#   1. builds the connector's Confluent-Hub-style zip (mvn package, tests skipped),
#   2. resolves Kafka's own broker and Connect runtime from Maven Central (src/quickstart/pom.xml),
#   3. compiles and runs Quickstart.java (with LocalKafka.java and the tests' LocalProcesses.java): a KRaft broker and a
#      distributed Connect worker as separate processes,
#      the plugin unpacked on plugin.path, the connector registered over REST from
#      config/quickstart-connector.json, the 26,064 real Open-Meteo messages produced, the Delta table
#      checked, everything stopped again.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
label=quickstart
main_source=src/quickstart/Quickstart.java
source src/quickstart/prepare.sh
exec java -cp "$classes:$cp" Quickstart "$repo" "$zip" "$repo/target/quickstart"
