#!/usr/bin/env bash
# One scheduled drain of a delta.run.mode=available-now connector (doc/docs/run-once.md): resumes the
# connector (or creates it from --config), waits until its offsets reach the end offsets taken before,
# stops it, and exits 0 with a summary, or non-zero with the reason. For cron, ADF or any scheduler:
#   KAFKA_HOME=/opt/kafka bin/delta-run-once.sh --connect http://connect:8083 --connector temperatures \
#     [--config etc/run-once-connector.json] [--bootstrap-server kafka:9092] [--command-config admin.properties]
# The Kafka client comes from the Kafka installation the workers run (KAFKA_HOME/libs), as the worker
# itself provides it to the connector.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${KAFKA_HOME:?set KAFKA_HOME to the Kafka installation (its libs/ holds the Kafka client)}"
exec java -cp "$KAFKA_HOME/libs/*:$here/lib/*" io.deltasink.connect.delta.cli.RunOnce "$@"
