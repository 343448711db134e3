# Shared settings for scripts/windows/*.sh (sourced, not run).
#
# The Windows x64 library is cross-built on Linux with Debian's Rust (rustc-web 1.96, whose
# standard library *source* comes in rust-web-src) and MinGW-w64. The standard library for
# x86_64-pc-windows-gnu is compiled from that source with -Zbuild-std, which a stable compiler
# allows only with RUSTC_BOOTSTRAP=1 (set here, for this cross build only).
# Packages: apt-get install -y rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine64

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WIN_TARGET=x86_64-pc-windows-gnu
# Debian's toolchain, called by full path so the rustup toolchain in ~/.cargo/bin is untouched.
DEB_RUSTC="${SQLURL_DEB_RUSTC:-/usr/bin/rustc}"
DEB_RUSTDOC="${SQLURL_DEB_RUSTDOC:-/usr/bin/rustdoc}"
DEB_CARGO="${SQLURL_DEB_CARGO:-/usr/bin/cargo}"
RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library
MINGW_GCC=x86_64-w64-mingw32-gcc
MINGW_OBJDUMP=x86_64-w64-mingw32-objdump
WINE64="${SQLURL_WINE64:-/usr/lib/wine/wine64}"
WINESERVER="${SQLURL_WINESERVER:-/usr/lib/wine/wineserver}"
# A separate target dir: the Linux build in target/ is never rebuilt or locked by this one.
WIN_TARGET_DIR="${SQLURL_WIN_TARGET_DIR:-$REPO_ROOT/target/win}"
# Where the module build (build.ps1) looks for the DLL.
DLL_OUT="$REPO_ROOT/target/$WIN_TARGET/release/sqlurl.dll"
APT_LINE="apt-get install -y rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine64"

die() { echo "error: $*" >&2; exit 2; }

need_toolchain() {
    local missing=()
    [ -x "$DEB_RUSTC" ] || missing+=("$DEB_RUSTC (rustc-web)")
    [ -x "$DEB_CARGO" ] || missing+=("$DEB_CARGO (cargo-web)")
    [ -d "$RUST_LIB_SRC/std" ] || missing+=("$RUST_LIB_SRC (rust-web-src)")
    command -v "$MINGW_GCC" >/dev/null || missing+=("$MINGW_GCC (gcc-mingw-w64-x86-64)")
    if [ ${#missing[@]} -gt 0 ]; then
        die "Windows cross toolchain missing: ${missing[*]}. Install with: $APT_LINE"
    fi
}

# Environment for every cargo run of the cross build.
cross_env() {
    export RUSTC="$DEB_RUSTC" RUSTDOC="$DEB_RUSTDOC" RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_DIR="$WIN_TARGET_DIR"
    # tiberius 0.13 depends on tokio-rustls with default features, which compiles aws-lc-rs in
    # even though sqlurl installs rustls' ring provider. aws-lc-sys then needs NASM for its x86_64
    # Windows assembly; it ships pre-assembled objects of that same assembly and uses them when
    # allowed to, so neither nasm nor cmake is needed.
    export AWS_LC_SYS_PREBUILT_NASM=1
    # Never let the host's rustup RUSTFLAGS/-C target-cpu leak into the cross build.
    unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
}

# Path of a file on the Linux side as wine sees it (drive Z: is /).
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# Checks that a file is an x86-64 PE DLL exporting the C ABI and importing no MinGW runtime DLL
# (the module ships sqlurl.dll alone). Prints its imports.
check_dll() {
    local dll="$1" dump
    [ -f "$dll" ] || die "$dll does not exist"
    command -v "$MINGW_OBJDUMP" >/dev/null || { echo "note: $MINGW_OBJDUMP missing, DLL not inspected"; return 0; }
    dump="$("$MINGW_OBJDUMP" -p "$dll")" || die "$dll is not a PE file"
    grep -q '^Magic[[:space:]]*020b' <<<"$dump" || die "$dll is not a PE32+ (64-bit) image"
    "$MINGW_OBJDUMP" -f "$dll" | grep -q 'architecture: i386:x86-64' \
        || die "$dll is not an x64 image (win-x64 needs x86_64-pc-windows-msvc or -gnu)"
    grep -q 'sqlurl_version' <<<"$dump" || die "$dll does not export sqlurl_version"
    if grep -qiE 'DLL Name: (libgcc_s|libwinpthread|libstdc\+\+)' <<<"$dump"; then
        die "$dll depends on a MinGW runtime DLL: $(grep -iE 'DLL Name: lib' <<<"$dump" | tr -s ' \t' ' ')"
    fi
    echo "imports: $(grep 'DLL Name:' <<<"$dump" | awk '{print $3}' | sort -uf | tr '\n' ' ')"
    echo "exports: $(grep -cE '^\s+\[ *[0-9]+\] sqlurl_' <<<"$dump") sqlurl_* functions"
}
