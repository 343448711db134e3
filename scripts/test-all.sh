#!/usr/bin/env bash
# Runs every test suite: Rust (library, simulator, C ABI, Microsoft clients), Pester, and the
# Windows build under wine. Starts Azurite for the run and stops it at the end.
# Runs the idempotent scripts/setup.sh first (installs what is missing, else only checks).
# SQLURL_SKIP_WINDOWS=1 skips the Windows build and builds the module with -LinuxOnly (no Azure
# Automation zip). Exit status is non-zero when any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PWSH=$(command -v pwsh || true)
[ -n "$PWSH" ] || PWSH="$ROOT/../shared/tools/pwsh/pwsh"
export SQLURL_PWSH="$PWSH"
# setup.sh installs chromium, and the Windows DLL is built below unless skipped: their Pester tests
# must then run, not end Inconclusive.
export SQLURL_REQUIRE_BROWSER=1
[ "${SQLURL_SKIP_WINDOWS:-0}" = 1 ] || export SQLURL_REQUIRE_WINDOWS_LIBRARY=1

failed=()
step() { echo; echo "==== $* ===="; }
run() { local name=$1; shift; step "$name"; local t0=$SECONDS; if "$@"; then echo "---- $name: ok ($((SECONDS-t0)) s)"; else echo "---- $name: FAILED ($((SECONDS-t0)) s)"; failed+=("$name"); fi; }

step "setup"
./scripts/setup.sh || { echo "scripts/setup.sh failed: the prerequisites are missing"; exit 1; }

step "azurite"
./scripts/azurite.sh start || { echo "azurite did not start"; exit 1; }
eval "$(./scripts/azurite.sh env)"
trap './scripts/azurite.sh stop >/dev/null 2>&1 || true' EXIT

header_unchanged() {
  cargo build -p sqlurl && git diff --exit-code -- include/ \
    || { echo "include/sqlurl.h differs from what build.rs generates: commit the regenerated header"; return 1; }
}
run "header"        header_unchanged
run "cargo test"    cargo test --workspace --no-fail-fast
# The Windows DLL first, so the module build packages runtimes/win-x64 beside linux-x64.
if [ "${SQLURL_SKIP_WINDOWS:-0}" != 1 ]; then
  run "windows build" ./scripts/windows/build-dll.sh
  run "windows tests (wine)" ./scripts/windows/test-wine.sh
fi
build_args=()
[ "${SQLURL_SKIP_WINDOWS:-0}" = 1 ] && build_args+=(-LinuxOnly)
run "module build"  "$PWSH" -NoProfile -NonInteractive -File ./build.ps1 "${build_args[@]}"
run "pester"        "$PWSH" -NoProfile -NonInteractive -File ./tests/powershell/run.ps1

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-all: FAILED: ${failed[*]}"
  exit 1
fi
echo "test-all: all suites passed"
