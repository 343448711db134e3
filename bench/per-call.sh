#!/usr/bin/env bash
# Per-call figures of issue 14, in one run against one simulator: where a short call's time goes
# (library stages, C ABI, PowerShell), cold vs pooled, python-tds doing the same work, and RSS
# after 100 vs 10,000 calls. Prints figures; asserts nothing. See bench/README.md.
#
#   bench/per-call.sh [RUNS] [CALLS]      # defaults 200 timed runs per stage, 10000 calls for RSS
#
# Release builds of the example and the simulator; the PowerShell part needs the module laid out
# by `pwsh ./build.ps1 -LinuxOnly` (skipped when out/ has none); python-tds needs
# `pip install python-tds pyopenssl` (skipped when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-200}"
CALLS="${2:-10000}"
PW='Sim-Passw0rd!'
PWSH="${PWSH:-/work/shared/tools/pwsh/pwsh}"
cargo build -q --release --example per_call -p sqlurl
cargo build -q --release -p sqlsim --bin sqlsim
T="$(mktemp -d)"
cat > "$T/scenario.json" <<JSON
{"credentials": [{"name": "https://acct.blob.core.windows.net/backups", "identity": "Managed Identity"}]}
JSON
target/release/sqlsim --listen 127.0.0.1:0 --scenario "$T/scenario.json" --ca-out "$T/ca.pem" > "$T/sim.out" 2> "$T/sim.err" &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do grep -q '^listening' "$T/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT="$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/sim.out")"
echo "date $(date -u '+%Y-%m-%d %H:%M') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg); simulator (release) on 127.0.0.1,$PORT; $RUNS runs per stage (medians)"
echo "-- library (Rust, release): per_call time"
target/release/examples/per_call time "127.0.0.1,$PORT" "$T/ca.pem" "$PW" "$RUNS"
if python3 -c 'import pytds, OpenSSL' 2>/dev/null; then
  echo "-- python-tds $(python3 -c 'import importlib.metadata as m; print(m.version("python-tds"))')"
  python3 bench/per-call/pytds_call.py localhost "$PORT" "$T/ca.pem" "$PW" "$RUNS"
else
  echo "-- python-tds: not installed (pip install python-tds pyopenssl)"
fi
if [ -x "$PWSH" ] && ls out/SqlUrlBackup/*/SqlUrlBackup.psd1 >/dev/null 2>&1; then
  echo "-- PowerShell $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()')"
  "$PWSH" -NoProfile -File bench/per-call.ps1 -Server "127.0.0.1,$PORT" -CaFile "$T/ca.pem" -Password "$PW" -Runs "$RUNS"
else
  echo "-- PowerShell: no module in out/ (pwsh ./build.ps1 -LinuxOnly)"
fi
echo "-- RSS over $CALLS calls of sqlurl_credential_list (C ABI), load average $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/examples/per_call rss "127.0.0.1,$PORT" "$T/ca.pem" "$PW" "$CALLS"
