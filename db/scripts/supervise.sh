#!/usr/bin/env bash
# supervise.sh STATE_FILE COMMAND...: runs COMMAND and starts it again whenever it exits, as
# compose's `restart: unless-stopped` does: after 1 s, doubling up to 60 s while it keeps exiting
# within a minute of its start. STATE_FILE records the restarts (make status shows them).
# TERM or INT stops it: the command gets the signal (from the process-group kill of svc_stop, or
# from here) and the supervisor exits once the command has.
state="$1"; shift
restarts=0 delay=1 child="" stopping=0
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
rm -f "$state"
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"; rc=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done  # wait returns early on a trapped signal
  [ "$stopping" = 1 ] && break
  restarts=$((restarts + 1))
  [ $((SECONDS - started)) -ge 60 ] && delay=1
  printf 'restarts=%s\nlast_exit=%s\nlast_exit_at=%s\n' "$restarts" "$rc" "$(date -u +%FT%TZ)" > "$state"
  echo "[supervise] $1 exited with status $rc; starting it again in ${delay}s (restart $restarts)" >&2
  sleep "$delay" &
  child=$!
  wait "$child"
  child=""
  [ "$stopping" = 1 ] && break
  delay=$((delay * 2 > 60 ? 60 : delay * 2))
done
