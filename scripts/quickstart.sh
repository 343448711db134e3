#!/usr/bin/env bash
# The main job in one command: set up what is missing, build the library and the module, start the
# SQL Server simulator and Azurite on 127.0.0.1, and run the whole flow with the module
# (examples/quickstart.ps1): credential, readiness check, backup with progress, header, restore to
# a new name. Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
PWSH=$(command -v pwsh || true)
[ -n "$PWSH" ] || PWSH="$(pwd)/../shared/tools/pwsh/pwsh"
"$PWSH" -NoProfile -NonInteractive -File ./build.ps1 -LinuxOnly
exec "$PWSH" -NoProfile -NonInteractive -File ./examples/quickstart.ps1 "$@"
