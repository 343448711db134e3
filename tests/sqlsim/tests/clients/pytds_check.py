"""python-tds against the simulator (driven by tests/sqlsim/tests/independent_clients.rs).

Usage: python3 pytds_check.py PORT USER PASSWORD
Prints one JSON object per line: {"step": ..., ...}. Exit 0 only if every step behaved.
Login without TLS (no cafile), as the test plan asks.
"""
import json
import sys
import time

import pytds


def emit(**kw):
    print(json.dumps(kw), flush=True)


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    conn = pytds.connect(server="127.0.0.1", port=port, user=user, password=password,
                         autocommit=True, login_timeout=10, timeout=30)
    cur = conn.cursor()

    cur.execute("SELECT @@VERSION")
    emit(step="version", value=cur.fetchone()[0])

    cur.execute("SELECT SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('EngineEdition')")
    row = cur.fetchone()
    emit(step="variant", version=row[0], edition=row[1])

    try:
        cur.execute("SELECT * FROM dbo.NoSuchTable")
        emit(step="error", ok=False, why="the failing statement succeeded")
        return 1
    except pytds.Error as e:
        emit(step="error", number=getattr(e, "number", None), severity=getattr(e, "severity", None),
             state=getattr(e, "state", None), text=str(e.args[0]) if e.args else str(e))

    # A long statement, cancelled while it runs: the request is sent without waiting for the
    # answer, then cursor.cancel() sends ATTENTION and reads up to the DONE with the ATTN bit.
    started = time.monotonic()
    cur._session.submit_plain_query("WAITFOR DELAY '00:00:20'")
    time.sleep(0.5)
    cur.cancel()
    cancelled_after = time.monotonic() - started
    cur.execute("SELECT 42")
    emit(step="cancel", seconds=round(cancelled_after, 3), followup=cur.fetchone()[0])
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
