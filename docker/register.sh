#!/bin/sh
# One-shot: register the connector over the REST API (PUT is idempotent: running it twice is fine).
set -eu
curl -sS --fail-with-body -X PUT -H 'Content-Type: application/json' \
  --data @/setup/connector.json http://connect:8083/connectors/delta-temperatures/config
echo
curl -sS http://connect:8083/connectors/delta-temperatures/status
echo
