#!/bin/sh
# competitor_check.sh COMPETITOR -- ctest bench.competitor: hsomp-bench-competitor
# (a tool for bench/loaded_runtimes.py, not a timing) ends at its deadline and on
# SIGTERM, and each of its processes reports once.  A pingpong pair's second side
# ends only if each side closed the pipe ends it does not use; a lost competitor
# would load the machine for others, so this is checked.
set -u
c=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Every kind, to its deadline: busy, bursty, yield, and a pingpong pair = 5 lines.
"$c" --busy 1 --bursty 1 --yield 1 --pingpong 1 --seconds 0.3 >"$out" || exit 1
n=$(grep -c '^COMPETITOR ' "$out")
[ "$n" -eq 5 ] || { echo "deadline: $n reports, expected 5"; cat "$out"; exit 1; }
# Stopped early by SIGTERM (the driver's way): busy and a pingpong pair = 3 lines.
"$c" --busy 1 --pingpong 1 --seconds 100 >"$out" &
p=$!
sleep 0.3
kill -TERM "$p"
wait "$p" || { echo "SIGTERM: exit status $?"; exit 1; }
n=$(grep -c '^COMPETITOR ' "$out")
[ "$n" -eq 3 ] || { echo "SIGTERM: $n reports, expected 3"; cat "$out"; exit 1; }
echo "ok"
