#!/usr/bin/env bash
# Seeds Azurite with N backup blobs (default 100000, with SqlUrlBackup metadata) and lists them
# through the library (bench/catalog/list_100k.rs); prints time and peak memory. Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-100000}"
scripts/azurite.sh start >/dev/null
eval "$(scripts/azurite.sh env)"
# an account SAS for the dev account (the test helper's signing, printed by a tiny test hook)
BENCH_SAS="$(cargo test -q --test storage_catalog print_bench_sas -- --ignored --nocapture 2>/dev/null | grep '^SAS=' | cut -d= -f2-)"
export BENCH_SAS
C="bench-$(date +%s)"
cargo build -q --example list_100k   # debug profile (a release build with LTO takes minutes on 2 cores)
target/debug/examples/list_100k seed "$C" "$N"
target/debug/examples/list_100k count "$C"
target/debug/examples/list_100k list "$C"
target/debug/examples/list_100k count "$C"
target/debug/examples/list_100k list "$C"
