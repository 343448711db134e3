#!/usr/bin/env bash
# Installs everything the build and the tests need on a Debian 12 machine with the rust toolchain.
# Idempotent: a second run only checks. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

need_apt=()
command -v tsql >/dev/null 2>&1 || need_apt+=(freetds-bin)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
# Windows cross build (scripts/windows/): Debian's rustc-web with std sources, MinGW-w64, wine.
[ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] || need_apt+=(rustc-web cargo-web rust-web-src)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need_apt+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || need_apt+=(wine64)
# Headless Chromium: tests/powershell/Report.Tests.ps1 opens the backup report in a real browser.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python3 -c 'import pytds' 2>/dev/null || { echo "setup: pip install python-tds"; python3 -m pip install -q python-tds; }

if [ -f package-lock.json ] && [ ! -x node_modules/.bin/azurite-blob ]; then
  echo "setup: npm ci (azurite)"
  npm ci --no-audit --no-fund --silent
fi

PWSH=$(command -v pwsh || true)
[ -n "$PWSH" ] || PWSH="$(pwd)/../shared/tools/pwsh/pwsh"
[ -x "$PWSH" ] || { echo "setup: PowerShell 7 not found (pwsh on PATH or ../shared/tools/pwsh/pwsh)" >&2; exit 1; }
echo "setup: ok (pwsh: $PWSH)"
