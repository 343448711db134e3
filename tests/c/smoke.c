/* C smoke test of the sqlurl ABI: compiled with cc against include/sqlurl.h and linked with the
 * built library (target/<profile>/libsqlurl.so). Run by tests/ffi_c_smoke.rs, once plainly and
 * once under valgrind.
 *
 * usage: smoke [list_request_json|-] [backup_request_json]
 *   list_request_json: also calls sqlurl_credential_list with it and expects SQLURL_OK
 *   (the Rust test passes a request for a running simulator); "-" skips it.
 *   backup_request_json: a backup that runs long on the simulator; runs the whole operation
 *   lifecycle with it: start, poll, wait with a timeout (PENDING), cancel, wait (cancelled),
 *   free; then start again and free while running.
 * Exit status 0 when every check passed; prints one line per check. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "sqlurl.h"

static int failures = 0;

#define CHECK(cond, what)                                   \
    do {                                                    \
        if (cond) {                                         \
            printf("ok   %s\n", what);                      \
        } else {                                            \
            printf("FAIL %s (line %d)\n", what, __LINE__);  \
            failures++;                                     \
        }                                                   \
    } while (0)

static const char *BAD_URL_REQUEST =
    "{\"connection\":{\"server\":\"127.0.0.1,1\",\"auth\":{\"kind\":\"sql\",\"user\":\"sa\",\"password\":\"Never-Shown-1\"}},"
    "\"url\":\"http://acct.blob.core.windows.net/backups/\",\"identity\":\"managed_identity\"}";

static void *thread_main(void *arg) {
    (void)arg;
    for (int i = 0; i < 20; i++) {
        char *out = NULL;
        enum SqlurlResult r = sqlurl_credential_create(BAD_URL_REQUEST, &out);
        if (r != SQLURL_ERROR_INVALID_ARGUMENT || out == NULL || strstr(out, "\"InvalidUrl\"") == NULL) {
            return (void *)1;
        }
        sqlurl_string_free(out);
    }
    return NULL;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls until the server reports progress of the BACKUP statement (bounded); returns whether
 * it was seen. */
static int poll_until_running(SqlurlOperation *op) {
    for (int i = 0; i < 1200; i++) {
        char *out = NULL;
        enum SqlurlResult r = sqlurl_operation_poll(op, &out);
        int running = r == SQLURL_OK && out && strstr(out, "\"progress_source\":\"dm_exec_requests\"") != NULL;
        sqlurl_string_free(out);
        if (running) return 1;
        sleep_ms(50);
    }
    return 0;
}

/* The operation lifecycle on a backup that runs long on the server. */
static void lifecycle(const char *backup_request) {
    SqlurlOperation *op = NULL;
    char *out = NULL;
    enum SqlurlResult r = sqlurl_backup_start(backup_request, &op, &out);
    CHECK(r == SQLURL_OK && op != NULL, "sqlurl_backup_start gives SQLURL_OK and a handle");
    CHECK(out != NULL && strstr(out, "\"kind\":\"backup\"") != NULL, "start writes the first OperationStatus");
    if (r != SQLURL_OK) {
        if (out) printf("     %s\n", out);
        sqlurl_string_free(out);
        return;
    }
    sqlurl_string_free(out);

    CHECK(poll_until_running(op), "sqlurl_operation_poll shows the backup running on the server");

    out = NULL;
    r = sqlurl_operation_wait(op, 200, &out);
    CHECK(r == SQLURL_PENDING, "sqlurl_operation_wait with a 200 ms timeout gives SQLURL_PENDING");
    CHECK(out != NULL && strstr(out, "\"results\":null") != NULL, "a pending wait has no results yet");
    sqlurl_string_free(out);

    r = sqlurl_operation_cancel(op);
    CHECK(r == SQLURL_OK, "sqlurl_operation_cancel gives SQLURL_OK");
    out = NULL;
    r = sqlurl_operation_wait(op, 120000, &out);
    CHECK(r == SQLURL_OK, "sqlurl_operation_wait after cancel gives SQLURL_OK");
    CHECK(out != NULL && strstr(out, "\"state\":\"cancelled\"") != NULL, "the operation ends cancelled");
    CHECK(out != NULL && strstr(out, "\"kind\":\"Cancelled\"") != NULL, "its result carries a Cancelled error");
    if (out) printf("     %.300s...\n", out);
    sqlurl_string_free(out);
    r = sqlurl_operation_cancel(op);
    CHECK(r == SQLURL_OK, "cancelling a finished operation is harmless");
    sqlurl_operation_free(op);
    CHECK(1, "sqlurl_operation_free of a finished operation");

    /* free while running: the library cancels it and lets it stop in the background */
    op = NULL;
    out = NULL;
    r = sqlurl_backup_start(backup_request, &op, &out);
    sqlurl_string_free(out);
    CHECK(r == SQLURL_OK && op != NULL && poll_until_running(op), "a second backup is running");
    sqlurl_operation_free(op);
    CHECK(1, "sqlurl_operation_free of a running operation returns");
    sleep_ms(5000); /* the cancelled work closes its connections in the background */

    /* NULL handles */
    out = NULL;
    CHECK(sqlurl_operation_poll(NULL, &out) == SQLURL_ERROR_NULL_ARGUMENT && out && strstr(out, "op is NULL"),
          "sqlurl_operation_poll(NULL) gives SQLURL_ERROR_NULL_ARGUMENT and says why");
    sqlurl_string_free(out);
    CHECK(sqlurl_operation_cancel(NULL) == SQLURL_ERROR_NULL_ARGUMENT, "sqlurl_operation_cancel(NULL) gives SQLURL_ERROR_NULL_ARGUMENT");
    sqlurl_operation_free(NULL);
    CHECK(1, "sqlurl_operation_free(NULL) is a no-op");
}

int main(int argc, char **argv) {
    /* version: a static string */
    const char *v = sqlurl_version();
    CHECK(v != NULL && strlen(v) > 0, "sqlurl_version returns a string");
    printf("     version %s\n", v ? v : "(null)");

    /* typed failure: invalid URL -> INVALID_ARGUMENT + error JSON, no secret in it */
    char *out = (char *)0x1; /* must be overwritten */
    enum SqlurlResult r = sqlurl_credential_create(BAD_URL_REQUEST, &out);
    CHECK(r == SQLURL_ERROR_INVALID_ARGUMENT, "invalid URL gives SQLURL_ERROR_INVALID_ARGUMENT");
    CHECK(out != NULL && out != (char *)0x1, "error JSON written");
    if (out && out != (char *)0x1) {
        printf("     %s\n", out);
        CHECK(strstr(out, "\"contract_version\":1") != NULL, "error JSON has contract_version 1");
        CHECK(strstr(out, "\"kind\":\"InvalidUrl\"") != NULL, "error kind InvalidUrl");
        CHECK(strstr(out, "Never-Shown-1") == NULL, "password not echoed");
        sqlurl_string_free(out);
    }

    /* NULL request: NULL_ARGUMENT, error JSON still written */
    out = NULL;
    r = sqlurl_credential_list(NULL, &out);
    CHECK(r == SQLURL_ERROR_NULL_ARGUMENT, "NULL request gives SQLURL_ERROR_NULL_ARGUMENT");
    CHECK(out != NULL && strstr(out, "request_json is NULL") != NULL, "NULL request explained");
    sqlurl_string_free(out);

    /* NULL out_json: NULL_ARGUMENT, nothing written (nothing to free) */
    r = sqlurl_server_check("{}", NULL);
    CHECK(r == SQLURL_ERROR_NULL_ARGUMENT, "NULL out_json gives SQLURL_ERROR_NULL_ARGUMENT");

    /* invalid UTF-8 */
    out = NULL;
    r = sqlurl_credential_remove("{\"name\":\"\xff\xfe\"}", &out);
    CHECK(r == SQLURL_ERROR_INVALID_ARGUMENT, "invalid UTF-8 gives SQLURL_ERROR_INVALID_ARGUMENT");
    CHECK(out != NULL && strstr(out, "UTF-8") != NULL, "invalid UTF-8 explained");
    sqlurl_string_free(out);

    /* not JSON / missing field */
    out = NULL;
    r = sqlurl_server_check("{\"connection\":", &out);
    CHECK(r == SQLURL_ERROR_INVALID_ARGUMENT, "truncated JSON gives SQLURL_ERROR_INVALID_ARGUMENT");
    sqlurl_string_free(out);
    out = NULL;
    r = sqlurl_credential_remove("{\"name\":\"x\"}", &out);
    CHECK(r == SQLURL_ERROR_INVALID_ARGUMENT && out && strstr(out, "connection") != NULL,
          "missing field named in the error");
    sqlurl_string_free(out);

    /* string free: NULL is a no-op */
    sqlurl_string_free(NULL);
    CHECK(1, "sqlurl_string_free(NULL) is a no-op");

    /* many threads at once */
    pthread_t th[4];
    int started = 0;
    for (int i = 0; i < 4; i++) {
        if (pthread_create(&th[i], NULL, thread_main, NULL) == 0) started++;
    }
    int thread_fail = 0;
    for (int i = 0; i < started; i++) {
        void *res = NULL;
        pthread_join(th[i], &res);
        if (res != NULL) thread_fail++;
    }
    CHECK(started == 4 && thread_fail == 0, "4 threads x 20 calls give the same typed failure");

    /* success against a server, when the test passes a request */
    if (argc > 1 && strcmp(argv[1], "-") != 0) {
        out = NULL;
        r = sqlurl_credential_list(argv[1], &out);
        CHECK(r == SQLURL_OK, "sqlurl_credential_list against the server gives SQLURL_OK");
        CHECK(out != NULL && strstr(out, "\"credentials\":") != NULL, "result JSON has credentials");
        if (out) printf("     %s\n", out);
        sqlurl_string_free(out);
        /* the same request again reuses the pooled connection; then drain the pool */
        out = NULL;
        r = sqlurl_credential_list(argv[1], &out);
        CHECK(r == SQLURL_OK, "a second sqlurl_credential_list (pooled connection) gives SQLURL_OK");
        sqlurl_string_free(out);
        out = NULL;
        r = sqlurl_pool_clear(&out);
        CHECK(r == SQLURL_OK && out != NULL && strstr(out, "\"closed\":1") != NULL, "sqlurl_pool_clear closes the one idle connection");
        if (out) printf("     %s\n", out);
        sqlurl_string_free(out);
    }
    CHECK(sqlurl_pool_clear(NULL) == SQLURL_ERROR_NULL_ARGUMENT, "sqlurl_pool_clear(NULL) gives SQLURL_ERROR_NULL_ARGUMENT");

    if (argc > 2) {
        lifecycle(argv[2]);
    }

    printf("%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}
