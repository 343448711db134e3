#!/usr/bin/env bash
# Azurite (Azure Blob Storage emulator) for the tests: HTTPS on 127.0.0.1 with a test CA, OAuth
# (bearer tokens) enabled, telemetry off. The one way the README, .ci/run and the Rust tests start it.
#
#   scripts/azurite.sh start   start it (no-op when the recorded instance still answers)
#   scripts/azurite.sh stop    stop the instance this script started (by its recorded pid)
#   scripts/azurite.sh env     print `export VAR=...` lines; use: eval "$(scripts/azurite.sh env)"
#   scripts/azurite.sh status  exit 0 when the recorded instance answers
#
# State lives in $AZURITE_DIR (default: <repo>/.tmp/azurite): certs/ (CA + server cert, made
# once with openssl), data/ (blob store), azurite.pid, azurite.log, azurite.env.
# Variables written to azurite.env:
#   AZURITE_BLOB_ENDPOINT  https://127.0.0.1:<port>/devstoreaccount1   (no trailing slash)
#   AZURITE_BLOB_PORT      <port>
#   AZURITE_CA             path of the CA certificate (PEM) that signed the server certificate
#   AZURITE_ACCOUNT        devstoreaccount1
# The account key is Azurite's public, well-known development key (documented by Microsoft for
# the emulator); it is not a secret and is not written here.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${AZURITE_DIR:-$ROOT/.tmp/azurite}"
CERTS="$DIR/certs"
PIDFILE="$DIR/azurite.pid"
ENVFILE="$DIR/azurite.env"
LOG="$DIR/azurite.log"
OPENSSL="${OPENSSL:-$(command -v openssl || echo /usr/bin/openssl)}"

ensure_installed() {
  if [ ! -x "$ROOT/node_modules/.bin/azurite-blob" ]; then
    echo "azurite.sh: npm ci (azurite)" >&2
    (cd "$ROOT" && npm ci --no-audit --no-fund --silent) >&2
  fi
}

ensure_certs() {
  mkdir -p "$CERTS"
  if [ -s "$CERTS/ca.pem" ] && [ -s "$CERTS/server.pem" ] && [ -s "$CERTS/server.key" ]; then
    return 0
  fi
  echo "azurite.sh: generating a test CA and server certificate in $CERTS" >&2
  local tmp; tmp=$(mktemp -d)
  "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=sqlsim test CA" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    >/dev/null 2>&1
  "$OPENSSL" req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" >/dev/null 2>&1
  cat > "$tmp/ext.cnf" <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost
EOF
  "$OPENSSL" x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$tmp/ext.cnf" -out "$tmp/server.pem" >/dev/null 2>&1
  mv "$tmp/ca.pem" "$tmp/server.pem" "$tmp/server.key" "$CERTS/"
  rm -rf "$tmp"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Answers when any HTTP status comes back over TLS with our CA (Azurite says 400 to a bare GET).
answers() {
  local port=$1
  curl -s -o /dev/null --max-time 2 --cacert "$CERTS/ca.pem" -w '%{http_code}' \
    "https://127.0.0.1:$port/devstoreaccount1?comp=list" 2>/dev/null | grep -qv '^000$'
}

running() {
  [ -f "$PIDFILE" ] && [ -f "$ENVFILE" ] || return 1
  local pid; pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 1
  # shellcheck disable=SC1090
  . "$ENVFILE"
  answers "$AZURITE_BLOB_PORT"
}

start() {
  if running; then echo "azurite.sh: already running ($(cat "$ENVFILE" | grep ENDPOINT))" >&2; return 0; fi
  ensure_installed
  ensure_certs
  mkdir -p "$DIR/data"
  local port; port=${AZURITE_BLOB_PORT_WANTED:-$(free_port)}
  setsid "$ROOT/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --oauth basic --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
    --location "$DIR/data" --disableTelemetry --skipApiVersionCheck --loose \
    >"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "$PIDFILE"
  local i
  for i in $(seq 1 100); do   # at most ~30 s
    if answers "$port"; then
      cat > "$ENVFILE" <<EOF
export AZURITE_BLOB_ENDPOINT=https://127.0.0.1:$port/devstoreaccount1
export AZURITE_BLOB_PORT=$port
export AZURITE_CA=$CERTS/ca.pem
export AZURITE_ACCOUNT=devstoreaccount1
EOF
      echo "azurite.sh: listening on https://127.0.0.1:$port (pid $pid, CA $CERTS/ca.pem)" >&2
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.3
  done
  echo "azurite.sh: azurite did not answer; log follows" >&2
  tail -n 30 "$LOG" >&2 || true
  kill "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  return 1
}

stop() {
  if [ -f "$PIDFILE" ]; then
    local pid; pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      local i; for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" "$ENVFILE"
    echo "azurite.sh: stopped" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running || { echo "azurite.sh: not running (run: scripts/azurite.sh start)" >&2; exit 1; }; cat "$ENVFILE" ;;
  status) running ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
