/* Several C threads (pthreads) run operations through the sqlurl ABI at once: run by
 * tests/ffi_c_smoke.rs under valgrind (memcheck) to show that concurrent calls neither touch
 * memory they do not own nor leak what they hand out. The 64-thread run without valgrind is
 * tests/concurrency.rs.
 *
 * usage: threads CONNECTION_JSON CONTAINER_URL THREADS ROUNDS
 *   Thread i, in each round r: lists credentials, backs up database "T<i>" to
 *   CONTAINER_URL/threads/T<i>_<r>.bak (start, poll, wait, free), then reads that blob's header.
 *   Every result must belong to its own request: the backup's database and URL, the header's
 *   database name. Exit status 0 when every check passed. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlurl.h"

#define MAX_THREADS 16

static const char *connection;
static const char *container;
static int rounds;

struct worker {
    pthread_t thread;
    int index;
    int failures;
    char first_failure[512];
};

static void fail(struct worker *w, const char *what, const char *out) {
    if (w->failures++ == 0) {
        snprintf(w->first_failure, sizeof w->first_failure, "%s: %.400s", what, out ? out : "(no output)");
    }
}

/* A JSON call; the output must contain every needle. */
static void call_expect(struct worker *w, enum SqlurlResult (*f)(const char *, char **), const char *req,
                        const char *what, const char *needle1, const char *needle2) {
    char *out = NULL;
    enum SqlurlResult r = f(req, &out);
    if (r != SQLURL_OK || out == NULL || strstr(out, needle1) == NULL || (needle2 && strstr(out, needle2) == NULL)) {
        fail(w, what, out);
    }
    sqlurl_string_free(out);
}

/* One backup through the whole handle lifecycle: start, poll, wait, free. */
static void backup(struct worker *w, const char *db, int round, const char *url, char *req, size_t cap) {
    snprintf(req, cap, "{\"connection\":%s,\"databases\":[\"%s\"],\"container_url\":\"%s\",\"file_name_template\":\"threads/{database}_%d.bak\",\"overwrite\":true}",
             connection, db, container, round);
    SqlurlOperation *op = NULL;
    char *out = NULL;
    if (sqlurl_backup_start(req, &op, &out) != SQLURL_OK || op == NULL) {
        fail(w, "sqlurl_backup_start", out);
        sqlurl_string_free(out);
        return;
    }
    sqlurl_string_free(out);
    out = NULL;
    if (sqlurl_operation_poll(op, &out) != SQLURL_OK || out == NULL) fail(w, "sqlurl_operation_poll", out);
    sqlurl_string_free(out);
    out = NULL;
    char db_field[64], url_field[1024];
    snprintf(db_field, sizeof db_field, "\"database\":\"%s\"", db);
    snprintf(url_field, sizeof url_field, "\"urls\":[\"%s\"]", url);
    enum SqlurlResult r = sqlurl_operation_wait(op, 600000, &out);
    if (r != SQLURL_OK || out == NULL || strstr(out, "\"state\":\"succeeded\"") == NULL || strstr(out, db_field) == NULL ||
        strstr(out, url_field) == NULL) {
        fail(w, "backup result", out);
    }
    sqlurl_string_free(out);
    sqlurl_operation_free(op);
}

static void *worker_main(void *arg) {
    struct worker *w = arg;
    size_t cap = strlen(connection) + strlen(container) + 1024;
    char *req = malloc(cap);
    char db[16], url[1024], name_field[64];
    if (req == NULL) {
        fail(w, "malloc", NULL);
        return NULL;
    }
    snprintf(db, sizeof db, "T%d", w->index);
    snprintf(name_field, sizeof name_field, "\"database_name\":\"%s\"", db);
    for (int r = 0; r < rounds; r++) {
        snprintf(req, cap, "{\"connection\":%s}", connection);
        call_expect(w, sqlurl_credential_list, req, "sqlurl_credential_list", "\"credentials\":", NULL);
        snprintf(url, sizeof url, "%s/threads/%s_%d.bak", container, db, r);
        backup(w, db, r, url, req, cap);
        snprintf(req, cap, "{\"connection\":%s,\"urls\":[\"%s\"]}", connection, url);
        call_expect(w, sqlurl_backup_header, req, "sqlurl_backup_header", "\"headers\":", name_field);
    }
    free(req);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: threads CONNECTION_JSON CONTAINER_URL THREADS ROUNDS\n");
        return 2;
    }
    connection = argv[1];
    container = argv[2];
    int threads = atoi(argv[3]);
    rounds = atoi(argv[4]);
    if (threads < 1 || threads > MAX_THREADS || rounds < 1) {
        fprintf(stderr, "THREADS must be 1-%d and ROUNDS at least 1\n", MAX_THREADS);
        return 2;
    }
    struct worker w[MAX_THREADS];
    memset(w, 0, sizeof w);
    int started = 0;
    for (int i = 0; i < threads; i++) {
        w[i].index = i;
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) break;
        started++;
    }
    int failures = started == threads ? 0 : 1;
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].failures) {
            printf("FAIL thread %d: %d failure(s); first: %s\n", i, w[i].failures, w[i].first_failure);
            failures += w[i].failures;
        } else {
            printf("ok   thread %d: %d round(s) of credential list, backup, header read\n", i, rounds);
        }
    }
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}
