"""python-tds against sqlsim: one BACKUP ... WITH STATS = 10 and one failing BACKUP LOG.

Usage: backup_pytds.py HOST PORT USER PASSWORD BACKUP_SQL FAILING_SQL

Prints one JSON object per line on stdout, flushed as it happens:
  {"event": "msg", "number": n, "text": "..."}   as each INFO/ERROR token is parsed (streaming)
  {"event": "done", "numbers": [...]}            after the backup statement returned
  {"event": "failed", "numbers": [...]}          every message of the failing statement
Passwords are never printed.
"""
import json
import sys

import pytds
from pytds import tds_session


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


_orig = tds_session._TdsSession.process_msg


def _process_msg(self, marker):
    _orig(self, marker)
    m = self.messages[-1]
    emit({"event": "msg", "number": m["msgno"], "text": m["message"]})


tds_session._TdsSession.process_msg = _process_msg


def main():
    host, port, user, password, backup_sql, failing_sql = sys.argv[1:7]
    conn = pytds.connect(server=host, port=int(port), user=user, password=password,
                         autocommit=True, login_timeout=10, timeout=120)
    cur = conn.cursor()
    cur.execute(backup_sql)
    # cursor.messages (DB-API) holds every message of the statement; read the numbers from the
    # session's raw list behind it.
    emit({"event": "done", "count": len(cur.messages), "numbers": [m["msgno"] for m in cur._session.messages]})
    try:
        cur.execute(failing_sql)
        emit({"event": "failed", "numbers": []})
    except pytds.Error:
        emit({"event": "failed", "numbers": [m["msgno"] for m in cur._session.messages]})
    conn.close()


if __name__ == "__main__":
    main()
