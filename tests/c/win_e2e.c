/*
 * End to end under wine: the Windows sqlurl.dll logs into the simulator (started on the Linux side
 * by scripts/windows/test-wine.sh on 127.0.0.1) and creates and lists a credential.
 *
 *   win_e2e.exe DLL SERVER CA_FILE        e.g. win_e2e.exe Z:\...\sqlurl.dll 127.0.0.1,41433 /tmp/ca.pem
 *   environment: SQLURL_E2E_USER (default sa), SQLURL_E2E_PASSWORD (required),
 *                SQLURL_E2E_CLOSED_PORT (a loopback port nothing listens on)
 *
 * Steps, each printed, so a failure shows exactly which layer stopped under wine:
 *   1. connection refused on a closed loopback port -> SQLURL_ERROR_CONNECTION (tokio's Windows
 *      sockets: connect, completion of a failed connect)
 *   2. sqlurl_credential_create (managed identity) over TLS validated against the simulator's CA
 *   3. sqlurl_credential_list filtered by the URL: the credential is there, kind managed_identity
 *   4. an integrated (SSPI) login attempt ends in a typed failure (see the step for why)
 * Exit code 0 only when all steps passed.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLURL_OK 0
#define SQLURL_ERROR_CONNECTION 4

typedef void (*string_free_fn)(char *);
typedef int (*json_fn)(const char *, char **);

static string_free_fn string_free;
static int failures = 0;

/* JSON string body: escapes '"', '\\' and control characters. Caller frees. */
static char *json_escape(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 6 + 1), *p = out;
    if (!out) exit(3);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
        else if (c < 0x20) { p += sprintf(p, "\\u%04x", c); }
        else *p++ = (char)c;
    }
    *p = 0;
    return out;
}

static void step(const char *name, int ok, int rc, const char *out)
{
    printf("%s - %s: code %d\n  %s\n", ok ? "ok  " : "FAIL", name, rc, out ? out : "(no output)");
    if (!ok) failures++;
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: win_e2e.exe DLL SERVER CA_FILE\n");
        return 2;
    }
    const char *user = getenv("SQLURL_E2E_USER") ? getenv("SQLURL_E2E_USER") : "sa";
    const char *password = getenv("SQLURL_E2E_PASSWORD");
    const char *closed_port = getenv("SQLURL_E2E_CLOSED_PORT");
    if (!password) {
        fprintf(stderr, "SQLURL_E2E_PASSWORD is not set\n");
        return 2;
    }
    HMODULE lib = LoadLibraryA(argv[1]);
    if (!lib) {
        printf("FAIL - LoadLibraryA(%s): error %lu\n", argv[1], (unsigned long)GetLastError());
        return 2;
    }
    string_free = (string_free_fn)GetProcAddress(lib, "sqlurl_string_free");
    json_fn create = (json_fn)GetProcAddress(lib, "sqlurl_credential_create");
    json_fn list = (json_fn)GetProcAddress(lib, "sqlurl_credential_list");
    if (!string_free || !create || !list) {
        printf("FAIL - sqlurl.dll lacks sqlurl_string_free / sqlurl_credential_create / sqlurl_credential_list\n");
        return 2;
    }

    char *e_server = json_escape(argv[2]), *e_ca = json_escape(argv[3]);
    char *e_user = json_escape(user), *e_pw = json_escape(password);
    const char *url = "https://winesim.blob.core.windows.net/wine-e2e";
    static char req[8192];
    char *out;
    int rc;

    /* 1. refused connection */
    if (closed_port) {
        snprintf(req, sizeof req,
                 "{\"connection\":{\"server\":\"127.0.0.1,%s\",\"auth\":{\"kind\":\"sql\",\"user\":\"%s\","
                 "\"password\":\"%s\"},\"connect_timeout_s\":10},\"url\":null}",
                 closed_port, e_user, e_pw);
        out = NULL;
        rc = list(req, &out);
        step("refused connection on a closed loopback port -> SQLURL_ERROR_CONNECTION",
             rc == SQLURL_ERROR_CONNECTION && out && strstr(out, "\"error\"") &&
                 !strstr(out, password),
             rc, out);
        string_free(out);
    }

    const char *conn_fmt =
        "\"connection\":{\"server\":\"%s\",\"database\":\"master\",\"auth\":{\"kind\":\"sql\","
        "\"user\":\"%s\",\"password\":\"%s\"},\"encrypt\":\"mandatory\",\"trust_server_certificate\":false,"
        "\"host_name_in_certificate\":\"localhost\",\"ca_file\":\"%s\",\"connect_timeout_s\":20,"
        "\"command_timeout_s\":30}";
    static char conn[4096];
    snprintf(conn, sizeof conn, conn_fmt, e_server, e_user, e_pw, e_ca);

    /* 2. create */
    snprintf(req, sizeof req,
             "{%s,\"url\":\"%s\",\"identity\":\"managed_identity\",\"secret\":null,\"replace\":true,"
             "\"dry_run\":false}",
             conn, url);
    out = NULL;
    rc = create(req, &out);
    step("sqlurl_credential_create (login over TLS, CREATE CREDENTIAL)",
         rc == SQLURL_OK && out && (strstr(out, "\"action\":\"created\"") || strstr(out, "\"action\":\"replaced\"")) &&
             !strstr(out, password),
         rc, out);
    string_free(out);

    /* 3. list */
    snprintf(req, sizeof req, "{%s,\"url\":\"%s\"}", conn, url);
    out = NULL;
    rc = list(req, &out);
    step("sqlurl_credential_list (the new credential, kind managed_identity)",
         rc == SQLURL_OK && out && strstr(out, url) && strstr(out, "\"kind\":\"managed_identity\"") &&
             !strstr(out, password),
         rc, out);
    string_free(out);

    /* 4. Windows integrated authentication (SSPI, compiled only into Windows builds). The
     *    simulator has no SSPI and wine has no NTLM without winbind's ntlm_auth, so this cannot
     *    log in here; what it proves is that the SSPI path runs and ends in a typed failure
     *    (connection/login/server error with an error object), not a crash or a hang. */
    {
        static char ireq[4096];
        snprintf(ireq, sizeof ireq,
                 "{\"connection\":{\"server\":\"%s\",\"auth\":{\"kind\":\"integrated\"},"
                 "\"encrypt\":\"mandatory\",\"host_name_in_certificate\":\"localhost\","
                 "\"ca_file\":\"%s\",\"connect_timeout_s\":20},\"url\":null}",
                 e_server, e_ca);
        out = NULL;
        rc = list(ireq, &out);
        step("integrated (SSPI) login attempt ends in a typed LoginFailed naming SSPI, no crash",
             rc == 4 && out && strstr(out, "\"kind\":\"LoginFailed\"")
                 && strstr(out, "integrated authentication (SSPI)"), rc, out);
        string_free(out);
    }

    /* No FreeLibrary: see win_smoke.c (the library's runtime threads would run unmapped code). */
    free(e_server); free(e_ca); free(e_user); free(e_pw);
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
