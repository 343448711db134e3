#!/usr/bin/env bash
# Builds the Windows x64 library target/x86_64-pc-windows-gnu/release/sqlurl.dll on Linux
# (cross: Debian rustc-web + rust-web-src + MinGW-w64, -Zbuild-std), or takes a prebuilt one.
#
#   scripts/windows/build-dll.sh                    # cross-build (release)
#   scripts/windows/build-dll.sh --prebuilt PATH    # take a sqlurl.dll built elsewhere, e.g. on
#                                                   # Windows with `cargo build --release`
#                                                   # (x86_64-pc-windows-msvc) or windows-gnu
#
# Needs: apt-get install -y rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64
# The build uses its own target dir (target/win, or $SQLURL_WIN_TARGET_DIR) and copies the DLL to
# target/x86_64-pc-windows-gnu/release/sqlurl.dll, where build.ps1 picks it up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

prebuilt=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prebuilt) [ $# -ge 2 ] || die "--prebuilt needs a path"; prebuilt="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

mkdir -p "$(dirname "$DLL_OUT")"

if [ -n "$prebuilt" ]; then
    check_dll "$prebuilt"
    if [ "$(readlink -f "$prebuilt")" != "$(readlink -f "$DLL_OUT" 2>/dev/null || true)" ]; then
        cp -f "$prebuilt" "$DLL_OUT"
    fi
    echo "prebuilt $prebuilt -> $DLL_OUT"
    exit 0
fi

need_toolchain
cross_env
cd "$REPO_ROOT"
start=$(date +%s)
# panic = "unwind" stays (the C ABI catches panics); std is built from source for the target.
nice -n "${SQLURL_NICE:-10}" "$DEB_CARGO" build --release -p sqlurl --lib \
    --target "$WIN_TARGET" -Zbuild-std=std,panic_unwind
built="$WIN_TARGET_DIR/$WIN_TARGET/release/sqlurl.dll"
check_dll "$built"
# The shipped copy drops the COFF symbol table (about 4 of 13 MB); exports stay. The unstripped
# DLL stays at $built for debugging.
if command -v x86_64-w64-mingw32-strip >/dev/null; then
    x86_64-w64-mingw32-strip --strip-unneeded -o "$DLL_OUT" "$built"
    check_dll "$DLL_OUT" >/dev/null
else
    cp -f "$built" "$DLL_OUT"
fi
end=$(date +%s)
echo "built $DLL_OUT ($(stat -c %s "$DLL_OUT") bytes) in $((end - start)) s"
