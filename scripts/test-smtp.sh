# Sourced by scripts/test.sh: the SMTP sink (scripts/smtp-sink.py) on a free loopback port for the e-mail tests.
# start_test_smtp exports HORT_TEST_SMTP_PORT and HORT_TEST_SMTP_DIR (each received message is a .eml file there);
# stop_test_smtp stops the sink and removes its folder.
SMTP_DIR=""
SMTP_PID=""

start_test_smtp() {
    SMTP_DIR="$(mktemp -d /tmp/hort-smtp.XXXXXX)"
    : >"$SMTP_DIR/sink.log" # exists before the sink opens it, so the first look below cannot fail
    python3 scripts/smtp-sink.py --dir "$SMTP_DIR/mail" >"$SMTP_DIR/sink.log" 2>&1 &
    SMTP_PID=$!
    local port="" i
    for i in $(seq 1 100); do
        port="$(sed -n 's/^smtp-sink listening on .*:\([0-9]*\)$/\1/p' "$SMTP_DIR/sink.log" || true)"
        [ -n "$port" ] && break
        kill -0 "$SMTP_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        cat "$SMTP_DIR/sink.log"
        return 1
    fi
    export HORT_TEST_SMTP_PORT="$port" HORT_TEST_SMTP_DIR="$SMTP_DIR/mail"
    echo "SMTP sink on 127.0.0.1:$port"
}

stop_test_smtp() {
    [ -n "$SMTP_DIR" ] || return 0
    if [ -n "$SMTP_PID" ]; then
        kill "$SMTP_PID" 2>/dev/null || true
        wait "$SMTP_PID" 2>/dev/null || true
    fi
    rm -rf "$SMTP_DIR"
    SMTP_DIR=""
    SMTP_PID=""
}
