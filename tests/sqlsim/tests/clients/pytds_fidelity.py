"""python-tds (an independent client) against the simulator for issue 12
(driven by tests/sqlsim/tests/fidelity_pytds.rs).

Usage: python3 pytds_fidelity.py PORT USER PASSWORD MODE [SQL ...]
MODE "tm": connect in python-tds' default mode (autocommit off: TM BEGIN right after login),
  run a query, commit, run another, roll back, close.
MODE "run": connect with autocommit on and run each SQL; report every message of each.
Prints one JSON object per line. Passwords are never printed.
"""
import json
import sys

import pytds


def emit(**kw):
    print(json.dumps(kw), flush=True)


def tran(cur):
    """The transaction descriptor python-tds holds (from the server's ENVCHANGE)."""
    return cur._session._tds.tds72_transaction


def messages(cur):
    return [{"number": m["msgno"], "class": m["severity"], "state": m["state"], "text": m["message"]}
            for m in cur._session.messages]


def main():
    port, user, password, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    if mode == "tm":
        conn = pytds.connect(server="127.0.0.1", port=port, user=user, password=password,
                             login_timeout=10, timeout=30)
        cur = conn.cursor()
        emit(step="connected", autocommit=conn.autocommit, tran=tran(cur))
        cur.execute("SELECT @@SPID, SUSER_SNAME(), @@TRANCOUNT")
        row = cur.fetchone()
        emit(step="query", spid=row[0], login=row[1], trancount=row[2])
        first = tran(cur)
        conn.commit()
        second = tran(cur)
        emit(step="commit", before=first, after=second)
        cur.execute("SELECT DB_NAME()")
        emit(step="query2", db=cur.fetchone()[0])
        conn.autocommit = True  # rolls the open transaction back, no new one
        cur = conn.cursor()
        cur.execute("SELECT @@TRANCOUNT")
        emit(step="rollback", after=tran(cur), trancount=cur.fetchone()[0])
        conn.close()
        emit(step="closed")
        return
    conn = pytds.connect(server="127.0.0.1", port=port, user=user, password=password,
                         autocommit=True, login_timeout=10, timeout=60)
    cur = conn.cursor()
    for sql in sys.argv[5:]:
        try:
            cur.execute(sql)
            rows = []
            while True:
                try:
                    rows.extend([list(map(str, r)) for r in cur.fetchall()])
                except pytds.ProgrammingError:
                    pass
                if not cur.nextset():
                    break
            emit(step="ok", messages=messages(cur), rows=rows)
        except pytds.Error as e:
            emit(step="failed", messages=messages(cur), error=str(e))
    conn.close()


if __name__ == "__main__":
    main()
