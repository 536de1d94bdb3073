#!/usr/bin/env bash
# One-shot: create the topic and produce the 26,064 real Open-Meteo messages.
set -euo pipefail
bin=/opt/kafka/bin
$bin/kafka-topics.sh --bootstrap-server kafka:29092 --create --if-not-exists --topic temperatures --partitions 6 --replication-factor 1
gzip -dc /sample/temperatures-2023.jsonl.gz | $bin/kafka-console-producer.sh --bootstrap-server kafka:29092 --topic temperatures
echo "produced $(gzip -dc /sample/temperatures-2023.jsonl.gz | wc -l) messages to temperatures"
