#!/usr/bin/env bash
# Load test of aliscout's read path against a bare net/http server serving the same bytes.
#
# It builds aliscout, starts `aliscout serve` on the built-in simulator, warms each route (so every
# answer below comes from the cache), captures each answer's bytes, starts scripts/loadtest/bare
# serving exactly those bytes from memory, then runs wrk against both and prints, per route,
# requests per second, p50 and p99 latency, and the ratio aliscout / bare. A second bare server
# ("dressed", bare -dressed) also sends the headers aliscout sent with each answer, with aliscout's
# server timeouts and a per-request deadline: what any server exposed like aliscout pays per
# request; the last columns are its figures. It ends with the RSS of the aliscout process.
# Everything runs on loopback and stops by itself.
#
# Needs wrk (apt-get install wrk), curl and python3. Settings through the environment:
#   DURATION (default 10s), CONNECTIONS (50), THREADS (2), RUNS (1), DISTINCT (0: how many distinct
#   searches, each finding products, to cache before measuring memory, e.g. 10000), PIN (0; 1 runs
#   the servers on CPU 0 and wrk on the other CPUs, with taskset: see below), GCTRACE (0; 1 runs
#   aliscout with GODEBUG=gctrace=1 and prints, after the table, the garbage collections that ran
#   during each of its passes and how long each one marked: a collection marks with a quarter of the
#   cores while requests wait, so a pass's p99 often follows them), SIMULATOR (inprocess; process
#   runs the simulator as a process of its own, `aliscout sandbox`, and aliscout on it with --gateway,
#   as aliscout runs against AliExpress: the simulator's world is then not in aliscout's heap, which
#   the collector would otherwise mark with aliscout's own)
#
# By default wrk and the server under test share every core, as in the first measurements of the
# read path. On a small machine their threads then take turns on the same cores, and the waits the
# kernel's scheduler adds reach the p99 of every server, the bare one too. PIN=1 keeps them apart,
# the usual way to measure a server's latency: each server gets CPU 0 (so Go runs it with
# GOMAXPROCS=1), wrk the rest. Needs at least 2 CPUs.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
RUNS=${RUNS:-1}
DISTINCT=${DISTINCT:-0}
PIN=${PIN:-0}
GCTRACE=${GCTRACE:-0}
SIMULATOR=${SIMULATOR:-inprocess}
case "$SIMULATOR" in inprocess | process) ;; *) echo "loadtest: SIMULATOR is inprocess or process, not $SIMULATOR"; exit 1 ;; esac
command -v wrk >/dev/null || { echo "loadtest: wrk is not installed (apt-get install wrk)"; exit 1; }
srv=() # runs a server under test
cli=() # runs wrk
placement="wrk and the servers share the cores"
if [ "$PIN" = 1 ]; then
  cpus=$(nproc)
  [ "$cpus" -ge 2 ] || { echo "loadtest: PIN=1 needs at least 2 CPUs; this machine has $cpus"; exit 1; }
  command -v taskset >/dev/null || { echo "loadtest: PIN=1 needs taskset (apt-get install util-linux)"; exit 1; }
  srv=(taskset -c 0)
  cli=(taskset -c "1-$((cpus - 1))")
  placement="servers on CPU 0, wrk on CPUs 1-$((cpus - 1)) (PIN=1)"
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/aliscout" ./cmd/aliscout
go build -o "$work/bare" ./scripts/loadtest/bare

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(free_port)
bare_port=$(free_port)
dressed_port=$(free_port)
godebug=${GODEBUG:-}
[ "$GCTRACE" = 1 ] && godebug="${godebug:+$godebug,}gctrace=1"
gateway=()
if [ "$SIMULATOR" = process ]; then
  sim_port=$(free_port)
  sim_key=500000 # the simulator's default app key, which aliscout uses against it without credentials
  "${srv[@]}" "$work/aliscout" sandbox --addr "127.0.0.1:$sim_port" --app-key "$sim_key" >"$work/sandbox.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$sim_port/" && break; sleep 0.1; done
  gateway=(--gateway "http://127.0.0.1:$sim_port")
  # As a user connects AliExpress before serving: approve the app on the simulator's authorize page,
  # then `aliscout auth` trades the code for the dropshipping token it saves in the data directory
  # (the built-in simulator hands aliscout that token itself). Product answers then carry the same
  # dropshipping data in both modes.
  callback=http://127.0.0.1:8080/auth/callback
  location=$(curl -fs -o /dev/null -w '%{redirect_url}' --data-urlencode "redirect_uri=$callback" \
    -d response_type=code -d client_id="$sim_key" -d user_nick=loadtest -d action=approve "http://127.0.0.1:$sim_port/oauth/authorize")
  code=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)["code"][0])' "$location")
  ALISCOUT_DATA_DIR="$work/data" "$work/aliscout" "${gateway[@]}" auth --redirect-uri "$callback" --code "$code" >"$work/auth.log" 2>&1 ||
    { echo "loadtest: aliscout auth against the simulator failed:"; cat "$work/auth.log"; exit 1; }
fi
GODEBUG=$godebug ALISCOUT_LOG_LEVEL=warn ALISCOUT_DATA_DIR="$work/data" "${srv[@]}" "$work/aliscout" "${gateway[@]}" serve --addr "127.0.0.1:$app_port" >"$work/serve.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$app_port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

app="http://127.0.0.1:$app_port"
id=$(curl -fs "$app/api/search?q=phone+case" | python3 -c 'import json,sys; print(json.load(sys.stdin)["products"][0]["id"])')
routes=("/api/search?q=phone+case" "/search?q=phone+case" "/products/$id" "/api/products/$id" "/healthz")

mkdir -p "$work/bodies"
for r in "${routes[@]}"; do
  for _ in 1 2 3; do curl -fs -o /dev/null "$app$r"; done # warm: every answer from the cache
  path=${r%%\?*}
  name=${path//\//_}
  curl -fs -D "$work/bodies/$name.headers" -o "$work/bodies/$name.body" "$app$r"
  grep -i '^content-type:' "$work/bodies/$name.headers" | head -1 | cut -d' ' -f2- | tr -d '\r' >"$work/bodies/$name.type"
done
"${srv[@]}" "$work/bare" "127.0.0.1:$bare_port" "$work/bodies" &
pids+=("$!")
"${srv[@]}" "$work/bare" -dressed "127.0.0.1:$dressed_port" "$work/bodies" &
pids+=("$!")
for port in "$bare_port" "$dressed_port"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done

if [ "$DISTINCT" -gt 0 ]; then
  echo "caching $DISTINCT distinct searches..."
  # Searches that find products (searches.py learns words from the catalog), so that the memory
  # figure is that of a cache holding real answers. One wrk thread asks them in turn (and again
  # from the first if time is left): every one is asked once when wrk made DISTINCT requests.
  python3 scripts/loadtest/searches.py "$app" "$DISTINCT" "$work/distinct.txt"
  cat >"$work/distinct.lua" <<LUA
paths = {}
for line in io.lines("$work/distinct.txt") do paths[#paths + 1] = line end
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) % #paths) + 1])
end
LUA
  fill_rate=200 # searches a second, at least
  [ "$PIN" = 1 ] && fill_rate=100 # aliscout and the simulator share one core
  "${cli[@]}" wrk -t1 -c8 -d"$((DISTINCT / fill_rate + 10))s" -s "$work/distinct.lua" "$app" >"$work/distinct.out" 2>&1
  made=$(awk '/requests in/ {print $1}' "$work/distinct.out")
  if [ "${made:-0}" -lt "$DISTINCT" ]; then
    echo "loadtest: only $made of $DISTINCT distinct searches were made" >&2
    exit 1
  fi
  if grep -q 'Non-2xx' "$work/distinct.out"; then
    echo "loadtest: some distinct searches failed: $(grep 'Non-2xx' "$work/distinct.out")" >&2
    exit 1
  fi
  # What a cached answer weighs: a sample of 100 of them, asked again.
  shuf -n 100 "$work/distinct.txt" | while read -r p; do curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$app$p" || true; done |
    awk '{n++; s+=$2; if ($1 == 200 && $2 > 1000) full++} END {printf "distinct searches: %d of %d sampled found products; %.0f KB per answer on average\n", full, n, s/n/1024}'
fi

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
gcs() { grep -c '^gc [0-9]' "$work/serve.log" || true; } # collections so far, with GCTRACE=1
gclog=()
pct() { awk -v p="$2" '$1==p {print $2}' "$1"; }

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, loopback; $placement; simulator $SIMULATOR"
printf "%-32s %7s %12s %16s %10s %16s %6s %11s %16s\n" "route" "bytes" "aliscout r/s" "aliscout p50/p99" "bare r/s" "bare p50/p99" "ratio" "dressed r/s" "dressed p50/p99"
for run in $(seq 1 "$RUNS"); do
  for r in "${routes[@]}"; do
    path=${r%%\?*}
    name=${path//\//_}
    bytes=$(stat -c %s "$work/bodies/$name.body")
    before=$(gcs)
    "${cli[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$app$r" >"$work/app.txt" 2>&1
    if [ "$GCTRACE" = 1 ]; then
      # gctrace's "A+B+C ms clock": B is the concurrent mark's wall time.
      marks=$({ grep '^gc [0-9]' "$work/serve.log" || true; } | tail -n +"$((before + 1))" | awk '{split($5, c, "+"); printf "%s%s", sep, c[2]; sep=", "}')
      gclog+=("$(printf "%-32s run %s: %d collections, marking %s ms" "$r" "$run" "$(($(gcs) - before))" "${marks:--}")")
    fi
    "${cli[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$bare_port$path" >"$work/bare.txt" 2>&1
    "${cli[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$dressed_port$path" >"$work/dressed.txt" 2>&1
    a=$(rps "$work/app.txt"); b=$(rps "$work/bare.txt"); d=$(rps "$work/dressed.txt")
    ratio=$(python3 -c "print(f'{float(\"$a\")/float(\"$b\"):.2f}')")
    printf "%-32s %7s %12s %16s %10s %16s %6s %11s %16s\n" "$r" "$bytes" "$a" "$(pct "$work/app.txt" 50%)/$(pct "$work/app.txt" 99%)" "$b" "$(pct "$work/bare.txt" 50%)/$(pct "$work/bare.txt" 99%)" "$ratio" "$d" "$(pct "$work/dressed.txt" 50%)/$(pct "$work/dressed.txt" 99%)"
  done
done
if [ "$GCTRACE" = 1 ]; then
  echo
  echo "garbage collections during aliscout's passes (GODEBUG=gctrace=1):"
  printf '%s\n' "${gclog[@]}"
fi
rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$app_pid/status")
hwm=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$app_pid/status")
echo "aliscout RSS now $rss, peak $hwm"
