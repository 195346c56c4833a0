#!/usr/bin/env bash
# vcgw.service under a real systemd: the box image (scripts/build-image.sh) booted with systemd as
# PID 1 in a systemd-nspawn container sharing this host's network, the province, RTMP server and
# two ONVIF cameras simulated on the host (scripts/unit-sims.ts). Proves, printing each figure:
#   - `systemctl start vcgw` is activating until the daemon's READY=1, then active (running);
#   - the unit loads without errors and its hardening is applied (systemd-analyze security score);
#   - idle cost over a window: the unit's cgroup (MemoryCurrent, CPUUsageNSec) and the main PID (/proc);
#   - journalctl -u vcgw -o json: PRIORITY set per entry, camera/output in the JSON MESSAGE; vcgw logs reads it;
#   - the watchdog: the main PID stopped with SIGSTOP is killed and restarted (NRestarts grows);
#   - systemctl stop ends every FFmpeg child within TimeoutStopSec.
# Exit 0 when every check passes; a failed check prints "FAIL <what>" and exits 1.
#   unit-check.sh [--idle SECONDS] [IMAGE.tar.zst]   (default: idle 120 s, the image built now)
# Needs root, systemd-nspawn (Debian's systemd-container), nginx with the RTMP module (scripts/deps.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
idle=120
[ "${1:-}" = --idle ] && { idle=$2; shift 2; }
image=${1:-}
[ "$(id -u)" -eq 0 ] || { echo "unit-check: needs root (nspawn)" >&2; exit 2; }
command -v systemd-nspawn >/dev/null || { echo "unit-check: systemd-nspawn missing (apt-get install systemd-container)" >&2; exit 2; }
[ -n "$image" ] || image=$(bash "$repo/scripts/build-image.sh")

fail=0
figure() { printf '%-34s %s\n' "$1" "$2"; }
check() { # check <what> <condition...>
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}

work=$(mktemp -d /tmp/vcgw-unit-check.XXXXXX)
root=$work/root
machine=vcgw-unit-$$
nspawn_pid='' sims_pid=''
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" # nspawn asks the container's systemd to power off
    for _ in $(seq 1 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
  fi
  [ -n "$sims_pid" ] && kill -TERM "$sims_pid" 2>/dev/null && wait "$sims_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -m 0755 "$root"
tar -C "$root" -I zstd -xf "$image"
chmod 0755 "$root"

# The simulated world on the host; its config becomes the box's.
mkfifo "$work/sims.in"
node --import tsx "$repo/scripts/unit-sims.ts" "$work/sims" <"$work/sims.in" >"$work/sims.out" 2>"$work/sims.log" &
sims_pid=$!
exec 3>"$work/sims.in" # held open: when this script dies, the sims see their stdin end
for _ in $(seq 1 1200); do [ -s "$work/sims.out" ] && break; kill -0 "$sims_pid" 2>/dev/null || break; sleep 0.1; done
[ -s "$work/sims.out" ] || { echo "unit-check: simulators did not start:" >&2; tail -20 "$work/sims.log" >&2; exit 1; }
sims=$(head -1 "$work/sims.out")
json() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$sims" "$1"; }
api_url=$(json apiUrl)
figure 'simulators on the host' "$sims"
install -m 0640 "$work/sims/gateway.toml" "$root/etc/vcgw/gateway.toml"
install -m 0644 "$work/sims/province-ca.pem" "$root/etc/vcgw/province-ca.pem"
chroot "$root" chown root:vcgw /etc/vcgw/gateway.toml

# Boot. --register=no and --keep-unit: this host's PID 1 is no systemd (no machined, no scope units).
systemd-nspawn -D "$root" -M "$machine" --register=no --keep-unit --console=passive -b >"$work/boot.log" 2>&1 &
nspawn_pid=$!
leader=''
for _ in $(seq 1 200); do
  leader=$(pgrep -P "$nspawn_pid" -x systemd || true)
  [ -n "$leader" ] && break
  sleep 0.1
done
[ -n "$leader" ] || { echo "unit-check: the container's systemd did not start:" >&2; cat "$work/boot.log" >&2; exit 1; }
box() { nsenter -t "$leader" -a -r -w env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 SYSTEMD_COLORS=0 "$@"; }
prop() { box systemctl show -P "$1" vcgw; }
# The minbase box has no procps: processes are read from /proc.
ffmpeg_count() { box bash -c 'n=0; for c in /proc/[0-9]*/comm; do [ "$(cat "$c" 2>/dev/null)" = ffmpeg ] && n=$((n + 1)); done; echo $n'; }
# Sum over the unit's processes: "<VmRSS kB> <utime+stime ticks> <processes>". systemd's own
# MemoryCurrent/CPUUsageNSec need the memory and cpu controllers, which this host keeps in cgroup v1
# hierarchies that nspawn mounts read-only: the container's systemd reports them [not set].
unit_usage() {
  box bash -c 'rss=0 ticks=0 n=0
    for p in $(cat /sys/fs/cgroup/systemd/system.slice/vcgw.service/cgroup.procs); do
      r=$(awk "/^VmRSS/ {print \$2}" /proc/$p/status 2>/dev/null) || continue
      s=$(cat /proc/$p/stat 2>/dev/null) || continue; s=${s##*) }; set -- $s
      rss=$((rss + ${r:-0})) ticks=$((ticks + ${12} + ${13})) n=$((n + 1))
    done; echo "$rss $ticks $n"'
}
# systemctl talks to PID 1 over /run/systemd/private, which exists once systemd has set itself up.
for _ in $(seq 1 600); do box test -S /run/systemd/private && break; sleep 0.1; done
boot_state=$(box timeout 120 systemctl is-system-running --wait || true)
figure 'box booted, system state' "$boot_state (systemd $(box systemctl --version | head -1 | cut -d' ' -f2), PID 1 in the container)"
check 'vcgw-firstboot made the API certificate' test "$(box systemctl show -P Result vcgw-firstboot)" = success

# 1. Start: activating until READY=1, then active (running).
box systemctl start --no-block vcgw
states=''
for _ in $(seq 1 1200); do
  # Both in one call: read one by one, they could straddle the READY=1 transition.
  s=$(box systemctl show -P ActiveState,SubState vcgw | paste -sd/)
  case " $states " in *" $s "*) ;; *) states="$states $s" ;; esac
  [ "$s" = active/running ] || [ "$s" = failed/failed ] && break
  sleep 0.05
done
api_code=$(curl -sk -o /dev/null -w '%{http_code}' "$api_url/" || true)
figure 'states seen during start' "${states# }"
start_us=$(prop ExecMainStartTimestampMonotonic); active_us=$(prop ActiveEnterTimestampMonotonic)
figure 'ExecMainStart → active (READY=1)' "$(( (active_us - start_us) / 1000 )) ms"
figure 'StatusText (sent with READY=1)' "$(prop StatusText)"
figure 'the daemon until READY' "$(box journalctl -u vcgw --no-pager -o short-monotonic | cut -c1-200 | head -12)"
figure 'ExecMainStatus,NRestarts,MainPID' "$(box systemctl show -p ExecMainStatus,NRestarts,MainPID vcgw | tr '\n' ' ')"
check 'activating/start seen before active/running' test "${states# }" = 'activating/start active/running'
check 'the API answers HTTP once the unit is active' test "$api_code" != 000

# 2. The unit as systemd read it: no errors, hardening applied.
unit_errors=$(box journalctl -b --no-pager -o cat -u vcgw.service -g 'Unknown|Invalid|Ignoring|Failed to parse|bad unit|mode is different' 2>/dev/null || true)
check 'no unit errors in the journal' test -z "$unit_errors"
security=$(box systemd-analyze security --no-pager vcgw.service 2>&1 | tail -1)
figure 'systemd-analyze security' "$security"
figure 'effective capabilities of MainPID' "$(box grep CapEff "/proc/$(prop MainPID)/status" | awk '{print $2}') (CAP_NET_BIND_SERVICE = 0000000000000400)"
check 'runs as the vcgw user' test "$(box stat -c %U "/proc/$(prop MainPID)")" = vcgw
check 'ProtectSystem=strict: /usr is read-only to the daemon' box nsenter -t "$(prop MainPID)" -m sh -c '! touch /usr/vcgw-write-test 2>/dev/null'

# 3. Idle: the daemon with one constant remux push and one on-demand camera, left alone.
sleep 10 # settle: first probes, camera-side encoding set, push started
ffmpeg_before=$(ffmpeg_count)
main_pid=$(prop MainPID)
read -r _ ticks0 _ < <(unit_usage); main0=$(box awk '{print $14+$15}' "/proc/$main_pid/stat"); t0=$(date +%s.%N)
sleep "$idle"
read -r rss1 ticks1 procs1 < <(unit_usage); main1=$(box awk '{print $14+$15}' "/proc/$main_pid/stat"); t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc -l)
hz=$(getconf CLK_TCK)
figure "idle window" "${wall%.*} s; ffmpeg children $ffmpeg_before (1 constant push, remux); systemd MemoryCurrent=$(prop MemoryCurrent) CPUUsageNSec=$(prop CPUUsageNSec)"
figure 'main PID VmRSS (/proc)' "$(box awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$main_pid/status")"
figure 'main PID CPU (/proc utime+stime)' "$(echo "scale=2; ($main1 - $main0) * 100 / $hz / $wall" | bc -l) % of one core"
figure "unit's $procs1 processes, VmRSS sum" "$(echo "scale=1; $rss1 / 1024" | bc -l) MiB"
figure "unit's processes, CPU" "$(echo "scale=2; ($ticks1 - $ticks0) * 100 / $hz / $wall" | bc -l) % of one core"

# 4. The journal: priority per entry, the structured fields in the JSON message.
entry=$(box journalctl -u vcgw -o json --no-pager | node -e '
  const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const parsed = (e) => { try { return JSON.parse(e.MESSAGE); } catch { return undefined; } };
  const withFields = lines.find((e) => parsed(e)?.camera !== undefined && parsed(e)?.output !== undefined) ?? lines.find((e) => parsed(e)?.camera !== undefined);
  if (withFields) console.log(JSON.stringify({ PRIORITY: withFields.PRIORITY, SYSLOG_IDENTIFIER: withFields.SYSLOG_IDENTIFIER, _SYSTEMD_UNIT: withFields._SYSTEMD_UNIT, MESSAGE: JSON.parse(withFields.MESSAGE) }));')
figure 'journal entry naming a camera' "${entry:-none}"
figure 'journal entries by PRIORITY' "$(box journalctl -u vcgw -o json --no-pager | node -e '
  const n = {}; for (const l of require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)) { const p = JSON.parse(l).PRIORITY; n[p] = (n[p] ?? 0) + 1; } console.log(JSON.stringify(n));')"
check 'journal entries carry PRIORITY and the camera field' test -n "$entry"
logs_lines=$(box vcgw logs --camera unit-cam-0 --since 10m --json | wc -l)
figure 'vcgw logs --camera unit-cam-0 --since 10m' "$logs_lines lines from the journal"
check 'vcgw logs reads the journal' test "$logs_lines" -gt 0

# 5. Watchdog: a stopped process feeds no watchdog; systemd aborts it and restarts the unit.
restarts0=$(prop NRestarts); wd_us=$(prop WatchdogUSec)
box bash -c "kill -STOP $main_pid"
t0=$(date +%s)
for _ in $(seq 1 120); do
  [ "$(prop NRestarts)" -gt "$restarts0" ] && [ "$(box systemctl show -P ActiveState,SubState vcgw | paste -sd/)" = active/running ] && break
  sleep 1
done
figure 'watchdog: stopped → running again' "$(( $(date +%s) - t0 )) s (WatchdogSec $wd_us, then SIGABRT, TimeoutAbortSec $(prop TimeoutAbortUSec), RestartSec $(prop RestartUSec))"
figure 'NRestarts, MainPID' "$restarts0 → $(prop NRestarts), $main_pid → $(prop MainPID)"
check 'the watchdog restarted the stopped daemon' test "$(prop NRestarts)" -gt "$restarts0" -a "$(prop MainPID)" != "$main_pid"
figure 'journal on the watchdog' "$(box journalctl -u vcgw --no-pager -o cat -g 'atchdog' | head -2 | tr '\n' ' ')"

# 6. Stop: every FFmpeg child ends within TimeoutStopSec.
for _ in $(seq 1 600); do [ "$(ffmpeg_count)" -gt 0 ] && break; sleep 0.1; done
ffmpeg_running=$(ffmpeg_count)
t0=$(date +%s%N)
box systemctl stop vcgw
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
figure 'systemctl stop' "$stop_ms ms with $ffmpeg_running ffmpeg running (TimeoutStopSec $(prop TimeoutStopUSec)), Result=$(prop Result), ExecMainCode=$(prop ExecMainCode) ExecMainStatus=$(prop ExecMainStatus)"
check 'FFmpeg was running before the stop' test "$ffmpeg_running" -gt 0
check 'no FFmpeg left after the stop' test "$(ffmpeg_count)" -eq 0
check 'stopped cleanly (Result=success, not timeout)' test "$(prop Result)" = success
[ "$(prop Result)" = success ] || figure 'the stop in the journal' "$(box journalctl -u vcgw --no-pager -o short-monotonic -n 25 | cut -c1-400)"
figure 'last lines of the daemon' "$(box journalctl -u vcgw --no-pager -o cat -n 2 | tr '\n' ' ' | cut -c1-300)"

[ "$fail" -eq 0 ] && echo 'unit-check: all checks passed' || echo 'unit-check: some checks FAILED'
exit "$fail"
