/*
 * TEST-ONLY stand-in for bcryptprimitives.dll!ProcessPrng. Never shipped.
 *
 * Rust's std (>= 1.78) imports ProcessPrng from bcryptprimitives.dll on Windows. Windows 10 /
 * Server 2016 and later have it; wine 8.0 (Debian 12's wine64) does not (it arrived in wine
 * 8.13), so a Rust program will not even start under wine 8.0 ("bcryptprimitives.dll not
 * found", status c0000135). scripts/windows/test-wine.sh builds this file with MinGW and puts it
 * on WINEPATH for the test programs only.
 *
 * It forwards to BCryptGenRandom with the system-preferred RNG, which wine implements.
 */
#include <windows.h>
#include <bcrypt.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
            /* The real ProcessPrng never fails; a failure here must not look like randomness. */
            RaiseFailFastException(NULL, NULL, 0);
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
