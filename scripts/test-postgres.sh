# Sourced by scripts/test.sh: a throwaway PostgreSQL 15 cluster (Debian's packages) on a free local port for the
# catalog tests. start_test_postgres exports HORT_TEST_POSTGRES; stop_test_postgres stops and removes the cluster.
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=""
PG_RUN=()

start_test_postgres() {
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "installing postgresql"
        local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq postgresql-15 >/dev/null
    fi

    PG_DIR="$(mktemp -d /tmp/hort-pg.XXXXXX)"
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: run it as the postgres user (or nobody), owning the cluster folder.
        local owner=postgres
        getent passwd postgres >/dev/null || owner=nobody
        chown "$owner" "$PG_DIR"
        PG_RUN=(runuser -u "$owner" --)
    fi

    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000)))"
    "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U hort -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log"; return 1; }
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
        || { cat "$PG_DIR/server.log"; return 1; }
    export HORT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=hort;Database=postgres"
    echo "PostgreSQL 15 test cluster on 127.0.0.1:$port"
}

stop_test_postgres() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
}
