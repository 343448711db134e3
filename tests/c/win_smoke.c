/*
 * Windows twin of tests/c/smoke.c: a MinGW program that LoadLibraryA()s sqlurl.dll and drives the
 * C ABI through GetProcAddress, the way the PowerShell module's P/Invoke layer does on Windows.
 * No server is needed. Run by scripts/windows/test-wine.sh under wine (and runnable on Windows).
 *
 *   win_smoke.exe [path\to\sqlurl.dll]      (default: sqlurl.dll beside the exe / on the PATH)
 *
 * Checks: version string; a typed failure (invalid JSON -> SQLURL_ERROR_INVALID_ARGUMENT with an
 * error object of kind InvalidArgument); a validation failure (http URL -> InvalidUrl); invalid
 * UTF-8; NULL input and NULL out pointer -> SQLURL_ERROR_NULL_ARGUMENT; string free (including
 * NULL). Exit code 0 only when every check passed.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

/* Result codes: docs/json-contract.md "Result codes". */
#define SQLURL_OK 0
#define SQLURL_ERROR_NULL_ARGUMENT 1
#define SQLURL_ERROR_INVALID_ARGUMENT 2

typedef const char *(*version_fn)(void);
typedef void (*string_free_fn)(char *);
typedef int (*json_fn)(const char *, char **);

static int failures = 0;

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        if (cond) {                                                      \
            printf("ok   - " __VA_ARGS__);                               \
        } else {                                                         \
            printf("FAIL - " __VA_ARGS__);                               \
            failures++;                                                  \
        }                                                                \
        printf("\n");                                                    \
    } while (0)

static FARPROC must_get(HMODULE lib, const char *name)
{
    FARPROC p = GetProcAddress(lib, name);
    if (p == NULL) {
        printf("FAIL - GetProcAddress(%s): error %lu\n", name, (unsigned long)GetLastError());
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "sqlurl.dll";
    HMODULE lib = LoadLibraryA(path);
    if (lib == NULL) {
        printf("FAIL - LoadLibraryA(%s): error %lu\n", path, (unsigned long)GetLastError());
        return 2;
    }
    printf("ok   - LoadLibraryA(%s)\n", path);

    version_fn version = (version_fn)must_get(lib, "sqlurl_version");
    string_free_fn string_free = (string_free_fn)must_get(lib, "sqlurl_string_free");
    json_fn credential_list = (json_fn)must_get(lib, "sqlurl_credential_list");
    json_fn credential_create = (json_fn)must_get(lib, "sqlurl_credential_create");

    /* 1. version: a static, non-empty string like "0.1.0". */
    const char *v = version();
    CHECK(v != NULL && v[0] >= '0' && v[0] <= '9' && strchr(v, '.') != NULL,
          "sqlurl_version() = \"%s\"", v ? v : "(null)");

    /* 2. typed failure: not JSON at all. */
    char *out = NULL;
    int rc = credential_list("this is not json", &out);
    CHECK(rc == SQLURL_ERROR_INVALID_ARGUMENT, "not JSON -> code %d (want %d)", rc,
          SQLURL_ERROR_INVALID_ARGUMENT);
    CHECK(out != NULL && strstr(out, "\"contract_version\":1") != NULL &&
              strstr(out, "\"error\"") != NULL && strstr(out, "\"kind\":\"InvalidArgument\"") != NULL,
          "not JSON -> error object: %s", out ? out : "(null)");
    string_free(out);

    /* 3. typed failure from validation, before any connection: an http (not https) URL. The
     *    password must not come back in the error text. */
    out = NULL;
    rc = credential_create(
        "{\"connection\":{\"server\":\"127.0.0.1,1\",\"auth\":{\"kind\":\"sql\",\"user\":\"sa\","
        "\"password\":\"S3cret-smoke-pw\"}},\"url\":\"http://acct.blob.core.windows.net/c\","
        "\"identity\":\"managed_identity\"}",
        &out);
    CHECK(rc == SQLURL_ERROR_INVALID_ARGUMENT, "http URL -> code %d (want %d)", rc,
          SQLURL_ERROR_INVALID_ARGUMENT);
    CHECK(out != NULL && strstr(out, "\"kind\":\"InvalidUrl\"") != NULL,
          "http URL -> InvalidUrl: %s", out ? out : "(null)");
    CHECK(out == NULL || strstr(out, "S3cret-smoke-pw") == NULL, "password not echoed");
    string_free(out);

    /* 4. invalid UTF-8 input. */
    out = NULL;
    rc = credential_list("{\"connection\":\"\xff\xfe\"}", &out);
    CHECK(rc == SQLURL_ERROR_INVALID_ARGUMENT, "invalid UTF-8 -> code %d (want %d)", rc,
          SQLURL_ERROR_INVALID_ARGUMENT);
    string_free(out);

    /* 5. NULL input: a code, not a crash (anything written to out_json is freed). */
    out = NULL;
    rc = credential_list(NULL, &out);
    CHECK(rc == SQLURL_ERROR_NULL_ARGUMENT, "NULL request -> code %d (want %d)", rc,
          SQLURL_ERROR_NULL_ARGUMENT);
    string_free(out);

    /* 6. NULL out pointer: nothing can be written; a code, not a crash. */
    rc = credential_list("{}", NULL);
    CHECK(rc == SQLURL_ERROR_NULL_ARGUMENT, "NULL out_json -> code %d (want %d)", rc,
          SQLURL_ERROR_NULL_ARGUMENT);

    /* 7. string free of NULL is a no-op. */
    string_free(NULL);
    CHECK(1, "sqlurl_string_free(NULL) returned");

    /* No FreeLibrary: the library keeps a tokio runtime whose worker threads run the DLL's code,
     * so unloading it under them crashes the process (seen under wine: a page fault executing at
     * an address inside the unmapped DLL). Callers (the PowerShell module) never unload it. */
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
