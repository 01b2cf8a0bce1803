#!/usr/bin/env bash
# LossViz past one machine: N Streamlit replicas behind nginx with cookie-sticky sessions.
#
#   deploy/run.sh N [LISTEN_PORT]        # e.g. deploy/run.sh 3 8080 → http://127.0.0.1:8080/
#
# Starts N replicas (python -m lossviz.ui.launch, as make run) on free 127.0.0.1 ports (all with
# the same server.cookieSecret), waits
# for each /_stcore/health, writes an nginx config from deploy/nginx.conf.template into a
# temp dir and runs nginx in the foreground. Ctrl-C (or SIGTERM) stops nginx and every
# replica and removes the temp dir. Needs Debian's nginx: apt-get install -y nginx
# Env: LOSSVIZ_COOKIE_SECRET (default: random per run), LOSSVIZ_BIND (default 127.0.0.1),
#      PY (default .venv/bin/python), LOSSVIZ_DATA_DIR (the shared SQLite poll store's directory,
#      default data/) or LOSSVIZ_DATABASE_URL (PostgreSQL). See docs/deploy.md.
set -euo pipefail

N=${1:-2}
LISTEN_PORT=${2:-8080}
BIND=${LOSSVIZ_BIND:-127.0.0.1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; } || true
if [ -z "$NGINX" ]; then
  echo "nginx not found: apt-get install -y nginx" >&2
  exit 2
fi
case "$N" in ''|*[!0-9]*) echo "usage: $0 N [LISTEN_PORT]" >&2; exit 2;; esac

# The class poll's store (lossviz/classroom): every replica must open the same database. PostgreSQL
# if LOSSVIZ_DATABASE_URL is set; else one SQLite file in LOSSVIZ_DATA_DIR (a relative path is taken
# from the caller's working directory; default: data/ in the checkout), exported as an absolute path.
if [ -n "${LOSSVIZ_DATABASE_URL:-}" ]; then
  export LOSSVIZ_DATABASE_URL
  STORE="database from LOSSVIZ_DATABASE_URL"
else
  DATA_DIR=${LOSSVIZ_DATA_DIR:-$ROOT/data}
  mkdir -p "$DATA_DIR"
  DATA_DIR=$(cd "$DATA_DIR" && pwd)
  export LOSSVIZ_DATA_DIR="$DATA_DIR"
  STORE="SQLite $DATA_DIR/lossviz.sqlite3"
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/lossviz-deploy.XXXXXX")
chmod 755 "$DIR"  # nginx workers (user nobody when started as root) must reach their temp dirs
SECRET=${LOSSVIZ_COOKIE_SECRET:-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}
PIDS=()

cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$DIR"
  echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "poll store: $STORE (shared by all $N replicas)"
SERVERS=""
PORTS=()
for i in $(seq 1 "$N"); do
  port=$(free_port)
  # the same cookie secret on every replica (Streamlit refuses it as a CLI flag: env or config)
  (cd "$ROOT" && export STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" && exec "$PY" -m lossviz.ui.launch \
      --server.address 127.0.0.1 --server.port "$port" --server.headless true \
      --browser.gatherUsageStats false) >"$DIR/replica$i.log" 2>&1 &
  PIDS+=($!)
  PORTS+=("$port")
  SERVERS+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
  echo "replica $i: http://127.0.0.1:$port pid $! log $DIR/replica$i.log"
done

for port in "${PORTS[@]}"; do
  "$PY" - "$port" <<'PYEOF'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/_stcore/health"
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        if urllib.request.urlopen(url, timeout=2).status == 200:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.3)
sys.exit(f"replica {url} not healthy after 120 s")
PYEOF
done

mkdir -p "$DIR"/{client_body,proxy,fastcgi,uwsgi,scgi}
"$PY" - "$ROOT/deploy/nginx.conf.template" "$DIR/nginx.conf" "$DIR" "$BIND:$LISTEN_PORT" "$SERVERS" <<'PYEOF'
import sys
src, dst, d, listen, servers = sys.argv[1:6]
text = open(src).read().replace("@DIR@", d).replace("@LISTEN@", listen).replace("@SERVERS@", servers.rstrip("\n"))
open(dst, "w").write(text)
PYEOF
"$NGINX" -t -q -c "$DIR/nginx.conf" -p "$DIR" -e "$DIR/error.log"
"$NGINX" -c "$DIR/nginx.conf" -p "$DIR" -e "$DIR/error.log" &
PIDS+=($!)
echo "nginx: pid $! config $DIR/nginx.conf access log $DIR/access.log"
echo "LossViz: http://$BIND:$LISTEN_PORT/ ($N replicas; Ctrl-C stops all)"
# in the foreground until nginx exits or we are interrupted
wait "${PIDS[-1]}"
