#!/usr/bin/env bash
# Runs the benchmark figures recorded in bench/README.md: start-up and memory, then every
# load-generator scenario on the in-memory and the durable store, and the scaling check
# (100 and 100,000 secrets). Prints JSON lines. Takes about ten minutes on 2 cores; run it
# on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
CGO_ENABLED=0 go build -trimpath -o "$out/xregion" ./cmd/xregion
go build -o "$out/loadgen" ./bench/loadgen
moto=()
command -v moto_server >/dev/null && moto=(-moto)

# Exec to first answer (median of 5, polling every millisecond) and idle RSS.
go run ./bench/startup -binary "$out/xregion" -runs 5 -poll 1ms

# Durable CreateSecret as a share of in-memory CreateSecret at the loadgen's concurrency,
# and a single writer's latency on the durable store (group commit must not slow it).
rps() { sed -n 's/.*"rps":\([0-9.]*\).*/\1/p'; }
create_mem=$("$out/loadgen" -binary "$out/xregion" -duration 10s -scenario create)
create_dur=$("$out/loadgen" -binary "$out/xregion" -duration 10s -scenario create -durable)
echo "$create_mem"
echo "$create_dur"
awk -v m="$(echo "$create_mem" | rps)" -v d="$(echo "$create_dur" | rps)" \
	'BEGIN { printf "{\"scenario\":\"durable-create-ratio\",\"memoryRps\":%s,\"durableRps\":%s,\"ratio\":%.3f}\n", m, d, d / m }'
"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario create -durable -concurrency 1
for store in "" "-durable"; do
	"$out/loadgen" -binary "$out/xregion" -duration 10s "${moto[@]}" $store
	"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario mixed -concurrency 4 $store
	"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario get -secrets 100000 $store
done
"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario get -mode sdk
go run ./bench/jobs -jobs 2000 # needs PostgreSQL; see "Jobs on a shared store"
rm -rf "$out"
