"""python-tds doing what Get-SqlUrlCredential does (bench/per-call.sh, issue 14): connect over
TLS validated against the simulator's CA, query sys.credentials, close; and the same query on an
open connection. Prints medians in ms; asserts nothing.

Usage: python3 pytds_call.py HOST PORT CA_FILE PASSWORD [RUNS]
HOST must be a name in the certificate: python-tds 1.x validates DNS names only, not IP addresses
(bench/per-call.sh passes localhost; the simulator's certificate names it). It also needs
pyOpenSSL < 24.3 (it calls X509.get_extension, which 24.3 removed).
"""
import statistics
import sys
import time

import pytds

QUERY = ("SELECT credential_id, name, credential_identity, create_date, modify_date "
         "FROM sys.credentials ORDER BY name")


def connect(host, port, ca, password):
    return pytds.connect(server=host, port=port, user="sa", password=password, cafile=ca,
                         validate_host=True, autocommit=True, login_timeout=10, timeout=10)


def query(conn):
    with conn.cursor() as cur:
        cur.execute(QUERY)
        return cur.fetchall()


def median_ms(f, runs):
    f()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        out.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(out)


def main():
    host, port, ca, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 200

    def cold():
        conn = connect(host, port, ca, password)
        query(conn)
        conn.close()

    print(f"{median_ms(cold, runs):9.3f} ms  python-tds: connect (TLS, CA validated) + query + close")
    conn = connect(host, port, ca, password)
    print(f"{median_ms(lambda: query(conn), runs):9.3f} ms  python-tds: query on an open connection")
    conn.close()


if __name__ == "__main__":
    main()
