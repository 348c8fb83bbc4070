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

go run ./bench/startup -binary "$out/xregion"
for store in "" "-durable"; do
	"$out/loadgen" -binary "$out/xregion" -duration 10s "${moto[@]}" $store
	"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario mixed -concurrency 4 $store
	"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario get -secrets 100000 $store
done
"$out/loadgen" -binary "$out/xregion" -duration 10s -scenario get -mode sdk
go run ./bench/jobs -jobs 2000 # needs PostgreSQL; see "Jobs on a shared store"
rm -rf "$out"
