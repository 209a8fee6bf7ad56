#!/bin/bash
# bench.sh: machnet against the kernel, measured in one run on one machine.
#
# Users choose this project to beat the kernel on message rate and tail
# latency, so every figure is set beside the kernel's from the same run on
# the same link. Two namespaced hosts are joined by a veth pair that only
# DPDK drives (net_af_xdp, then net_af_packet) and by a second veth pair
# that only the kernel drives (bench/sockpp over UDP and TCP, sockperf as a
# cross-check); a third machnet pair talks over net_memif, shared memory
# with no kernel on the path, which shows the stack's own cost. Every run is
# bounded in time ($BENCH_SECS) and by a timeout, so the whole bench ends
# in minutes (189 s for the run in docs/perf on the 2-core test VM).
#
#   bash scripts/bench.sh [BUILD]    (as root; `make bench` calls it)
#
# Writes docs/perf/: results.md, results.png, raw.tsv (with the CPU time
# of each run and the MTU it ran with), machine.txt, blocking.md (E1 with
# the applications blocking beside polling, and their CPU per second),
# notes.tsv, cost.tsv (the engine thread's CPU cost per 1 KiB request and
# response: perf stat where the VM exposes counters, callgrind otherwise)
# and, with callgrind, cost_profile.txt (where the instructions go).
# Environment: BENCH_SECS (run length), BENCH_SIZES, BENCH_WINDOWS,
# BENCH_SYSTEMS, BENCH_OUT, BENCH_COST_MSGS, BENCH_PERF_EVENTS, BENCH_WAIT_SIZES;
# MACHNETD_CONF (the configuration matching BUILD), BENCH_SOURCE (what
# BUILD was built from, for machine.txt).

set -u

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export MN_BUILD=${1:-build}
BENCH_SECS=${BENCH_SECS:-3}
BENCH_OUT=${BENCH_OUT:-$BENCH_ROOT/docs/perf}
BENCH_SIZES=${BENCH_SIZES:-"64 1024 8192 65536 1048576"}
BENCH_WINDOWS=${BENCH_WINDOWS:-"1 32"}
BENCH_SYSTEMS=${BENCH_SYSTEMS:-"xdp packet memif kernel kernel-jumbo sockperf cctrace cost"}
# Fixed-count run of the CPU-cost measurement (1 KiB request/responses).
BENCH_COST_MSGS=${BENCH_COST_MSGS:-2000}
# Events perf counts on the engine thread, where the VM exposes them.
BENCH_PERF_EVENTS=${BENCH_PERF_EVENTS:-cycles,instructions}
# machnet on the largest MTU each device carries here (1), or on 1500 (0).
BENCH_JUMBO=${BENCH_JUMBO:-1}
# The veth's MTU under af_xdp: a veth with XDP attached takes about 3500,
# and machnetd uses 3398 of it (a buffer must fit a 4 KiB umem chunk).
BENCH_XDP_MTU=${BENCH_XDP_MTU:-3500}
BENCH_IDLE=yield
# Sizes of the extra window-1 runs with both msg_gens blocking in
# machnet_recv_wait (--idle wait), as system machnet-SYS-wait; "" for none.
BENCH_WAIT_SIZES=${BENCH_WAIT_SIZES-1024}
BENCH_PORT=888
UDP_MAX=65507

# shellcheck source=topo.sh
source "$BENCH_ROOT/scripts/topo.sh"

RAW=
APP=
declare -A BENCH_NOTE=()

bench_log() {
	echo "bench: $*" >&2
}

# Installs a Debian package when its command is missing; 1 if still missing.
bench_need() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	bench_log "installing $pkg"
	bench_apt install -y -q "$pkg" ||
		{ bench_apt update -q && bench_apt install -y -q "$pkg"; }
	command -v "$cmd" >/dev/null
}

# apt-get, bounded: a dead mirror must not hang the bench.
bench_apt() {
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get "$@" >/dev/null 2>&1
}

bench_build() {
	local b=$MN_BIN
	for f in machnetd libmachnet.so; do
		[ -e "$b/$f" ] || { bench_log "$b/$f missing: run make first"; exit 2; }
	done
	if [ -x "$b/msg_gen" ]; then
		APP=msg_gen
	elif [ -x "$b/pingpong" ]; then
		APP=pingpong
	else
		bench_log "neither $b/msg_gen nor $b/pingpong: run make first"
		exit 2
	fi
	cc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g \
		-I"$BENCH_ROOT/examples/common" \
		-o "$b/sockpp" "$BENCH_ROOT/bench/sockpp.c" || exit 2
}

bench_source() {
	local rev
	rev=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null) || {
		echo "not a git tree"
		return
	}
	git -C "$BENCH_ROOT" diff --quiet HEAD -- primary secondary common examples ||
		rev="$rev plus uncommitted changes"
	echo "commit $rev"
}

bench_machine() {
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
		echo "cores: $(nproc) ($(lscpu | sed -n 's/^Hypervisor vendor: *//p') guest)"
		echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
		echo "kernel: $(uname -r)"
		echo "dpdk: $(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)"
		echo "source: ${BENCH_SOURCE:-$(bench_source)}"
		echo "app: $APP (--idle $BENCH_IDLE); machnetd --engine.idle=yield; run length ${BENCH_SECS} s"
		echo "cpu time accounting: CONFIG_IRQ_TIME_ACCOUNTING $(bench_irqtime), CLK_TCK $(getconf CLK_TCK)"
		echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$BENCH_OUT/machine.txt"
}

# on when the kernel keeps softirq time out of the processes' own time;
# off, the softirq work a process does in its context counts twice in the
# kernel rows' CPU figure (process time plus softirq), so the report says so.
bench_irqtime() {
	local c
	c=/boot/config-$(uname -r)
	if [ -r "$c" ]; then
		grep -q '^CONFIG_IRQ_TIME_ACCOUNTING=y' "$c"
	elif [ -r /proc/config.gz ]; then
		zgrep -q '^CONFIG_IRQ_TIME_ACCOUNTING=y' /proc/config.gz
	else
		echo unknown
		return
	fi && echo on || echo off
}

# utime+stime of PID in clock ticks (/proc/PID/stat sums its threads) if it
# runs NAME, else of its child that does: ip netns exec and env exec the
# program today, but a launcher that forked must not have its own few
# ticks taken for the program's. Fails when neither runs NAME.
bench_ticks_of() {
	local pid=$1 name=$2 stat f
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
		pid=$(pgrep -x -P "$pid" "$name" | head -n 1)
		[ -n "$pid" ] || return 1
	fi
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	# Fields from the third on: the name in parentheses may hold spaces.
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}

# The ticks of every PID:NAME given, summed; 0 for none.
bench_ticks() {
	local pn t sum=0
	for pn in "$@"; do
		if ! t=$(bench_ticks_of "${pn%%:*}" "${pn#*:}"); then
			bench_log "no ${pn#*:} at pid ${pn%%:*}: no CPU figure for this run"
			return 1
		fi
		sum=$((sum + t))
	done
	echo "$sum"
}

# "SERVER_TICKS DAEMON_TICKS SOFTIRQ_TICKS BUSY_TICKS SECONDS" now; SRV
# and DMN are lists of PID:NAME. Softirq and busy (user, nice, system, irq,
# softirq) are the machine's, from the cpu line of /proc/stat: busy shows
# how much else ran, as the kernel may be shared with other containers'
# processes, which no ps here lists. Both are tick samples, blind to short
# bursts; the processes' ticks are scaled to their exact run time.
bench_cpu_mark() {
	local s d
	# shellcheck disable=SC2086 # words of the lists
	s=$(bench_ticks $1) && d=$(bench_ticks $2) || return 1
	echo "$s $d $(awk '$1 == "cpu" { print $8, $2 + $3 + $4 + $7 + $8; exit }' /proc/stat) $EPOCHREALTIME"
}

# Runs the client CMD... (output in LOG) and prints as key=value pairs the
# CPU seconds that it, the servers SRV and the daemons DMN (lists of
# PID:NAME) used meanwhile, and the machine's softirq and busy seconds.
# The client's own time is bash's `time` of it: the rusage of the whole
# waited-for tree (timeout, ip netns exec, the client and all its threads),
# because a client that has exited has no /proc entry left to read.
bench_cpu_run() {
	local log=$1 srv=$2 dmn=$3 t0 t1 TIMEFORMAT='%3U %3S'
	shift 3
	t0=$(bench_cpu_mark "$srv" "$dmn")
	{ time "$@" </dev/null >"$log" 2>&1; } 2>"$log.time"
	t1=$(bench_cpu_mark "$srv" "$dmn")
	[ -n "$t0" ] && [ -n "$t1" ] || return 0
	awk -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" -v c="$(tail -n 1 "$log.time")" \
		-v dmn="$dmn" 'BEGIN {
		split(a, x); split(b, y); split(c, t)
		d = (y[2] - x[2]) / hz
		printf "wall_s=%.3f procs_s=%.3f machnetd_s=%s softirq_s=%.3f busy_s=%.3f client_s=%.3f server_s=%.3f\n",
			y[5] - x[5], t[1] + t[2] + (y[1] - x[1]) / hz + d,
			dmn == "" ? "-" : sprintf("%.3f", d), (y[3] - x[3]) / hz,
			(y[4] - x[4]) / hz, t[1] + t[2], (y[1] - x[1]) / hz
	}'
}

# The CPU seconds that count for SYS, then per message and per GB (10^9
# bytes) moved: MSGS x SIZE x 2, as every message counted is an echo
# received, so it crossed the link both ways. The kernel does part of its
# network work in softirq, not always charged to a process, so the
# kernel's figure adds the machine's; machnet's is its processes', busy
# polling included.
bench_cpu_cols() {
	awk -v sys="$1" -v z="$2" -v n="$3" -v p="$4" -v s="$5" 'BEGIN {
		if (p == "-" || n == "-" || n + 0 <= 0) { printf "-\t-\t-"; exit }
		c = p + (sys ~ /^kernel-/ ? s : 0)
		printf "%.3f\t%.2f\t%.3f", c, c * 1e6 / n, c / (n * z * 2 / 1e9)
	}'
}

# One row of raw.tsv from a line of key=value pairs (msgs, msg_per_s, ...).
bench_record() {
	local sys=$1 size=$2 win=$3 line=$4 note=${5:-} k v
	declare -A f=()
	for kv in $line; do
		k=${kv%%=*}
		v=${kv#*=}
		[ "$k" != "$kv" ] && f[$k]=$v
	done
	# The columns after note came later: old readers of raw.tsv still work.
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$sys" "$size" "$win" \
		"${f[msgs]:--}" "${f[msg_per_s]:--}" "${f[p50_us]:--}" \
		"${f[p99_us]:--}" "${f[p999_us]:--}" "${f[max_us]:--}" "$note" \
		"${f[wall_s]:--}" "${f[procs_s]:--}" "${f[machnetd_s]:--}" "${f[softirq_s]:--}" \
		"$(bench_cpu_cols "$sys" "$size" "${f[msgs]:--}" "${f[procs_s]:--}" "${f[softirq_s]:--}")" \
		"${f[mtu]:--}" "${f[mss]:--}" "${f[busy_s]:--}" \
		"${f[client_s]:--}" "${f[server_s]:--}" "${f[cpu_per_s]:--}" >>"$RAW"
}

# pingpong's last line, rewritten in msg_gen's summary keys.
bench_pingpong_kv() {
	sed -n 's/^pingpong: \([0-9]*\) messages.*: \([0-9.]*\) msg\/s.*p50 \([0-9.]*\) p99 \([0-9.]*\) p99.9 \([0-9.]*\) max \([0-9.]*\)$/msgs=\1 msg_per_s=\2 p50_us=\3 p99_us=\4 p999_us=\5 max_us=\6/p'
}

# pingpong has no duration: a count per size that fits the run length on
# this machine, and a timeout that fails the run if it does not.
bench_pp_count() {
	case $1 in
	64 | 1024) echo $((BENCH_SECS * 6000)) ;;
	8192) echo $((BENCH_SECS * 3000)) ;;
	65536) echo $((BENCH_SECS * 400)) ;;
	*) echo $((BENCH_SECS * 25)) ;;
	esac
}

# IDLE (msg_gen only; default BENCH_IDLE) is the server's --idle.
bench_app_server() {
	local ns=$1 inst=$2 ip=$3 idle=${4:-$BENCH_IDLE}
	if [ "$APP" = msg_gen ]; then
		topo_spawn "$ns" "$inst" "$TOPO_DIR/server.$inst.log" "$MN_BIN/msg_gen" \
			--local_ip "$ip" --local_port "$BENCH_PORT" --idle "$idle"
	else
		topo_spawn "$ns" "$inst" "$TOPO_DIR/server.$inst.log" "$MN_BIN/pingpong" \
			--server --local "$ip" --port "$BENCH_PORT" --idle "$BENCH_IDLE"
	fi
	BENCH_SERVER=$TOPO_LAST_PID
	sleep 0.5
}

# Prints the client's result, and the CPU time of the run (the server's
# and both machnetd's as well), as key=value pairs; status 1 when it failed.
# IDLE (msg_gen only; default BENCH_IDLE) is the client's --idle.
bench_app_client() {
	local ns=$1 inst=$2 lip=$3 rip=$4 size=$5 win=$6 idle=${7:-$BENCH_IDLE} log out cpu srv dmn
	log=$TOPO_DIR/client.$inst.$size.$win.$idle.log
	srv=$BENCH_SERVER:$APP
	dmn="${TOPO_MACHNETD[$INST_A]:-}:machnetd ${TOPO_MACHNETD[$INST_B]:-}:machnetd"
	if [ "$APP" = msg_gen ]; then
		cpu=$(bench_cpu_run "$log" "$srv" "$dmn" \
			timeout $((BENCH_SECS + 30)) ip netns exec "$ns" env "MACHNET_INSTANCE=$inst" \
			"$MN_BIN/msg_gen" --local_ip "$lip" --remote_ip "$rip" \
			--remote_port "$BENCH_PORT" --msg_size "$size" --msg_window "$win" \
			--duration "$BENCH_SECS" --idle "$idle")
		out=$(sed -n 's/^summary: //p' "$log" | tail -1)
	else
		cpu=$(bench_cpu_run "$log" "$srv" "$dmn" \
			timeout $((BENCH_SECS * 4 + 30)) ip netns exec "$ns" env "MACHNET_INSTANCE=$inst" \
			"$MN_BIN/pingpong" --client --local "$lip" --remote "$rip" \
			--port "$BENCH_PORT" --size "$size" --window "$win" \
			--count "$(bench_pp_count "$size")" --timeout $((BENCH_SECS * 4)) \
			--idle "$BENCH_IDLE")
		out=$(bench_pingpong_kv <"$log" | tail -1)
	fi
	if [ -z "$out" ]; then
		bench_log "client failed ($size B, window $win):"
		tail -n 5 "$log" >&2
		return 1
	fi
	echo "$out $cpu"
}

# The MTU of interface IF in namespace NS, as the kernel has it.
bench_link_mtu() {
	ip -n "$1" link show "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p' | head -n 1
}

# "mtu=N mss=M" of machnet over SYS, as host A's machnetd said at start-up.
bench_machnet_link() {
	local log=$TOPO_DIR/machnetd.$INST_A.log mtu mss
	mtu=$(sed -n 's/^machnetd: MTU \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	mss=$(sed -n 's/^machnetd: ready .* mss=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	echo "mtu=${mtu:--} mss=${mss:--}"
}

# The link MTU and device arguments of SYS at its largest MTU here: a veth
# takes 9000, but with XDP attached only about 3500; af_packet needs PACKET_MMAP
# frames and memif buffers that hold a whole frame (config/machnet.conf).
bench_jumbo_link() {
	case $1 in
	xdp) echo "$BENCH_XDP_MTU" ;;
	packet) echo "9000 ,framesz=9216,blocksz=36864" ;;
	memif) echo "9000 ,bsize=9216" ;;
	esac
}

# Starts the pair of machnetd for SYS (xdp, packet, memif) as INST_A/INST_B,
# at the largest MTU the device carries when BENCH_JUMBO is 1.
bench_machnetds() {
	local sys=$1 sock eal mtu=1500 devargs= opts=()
	INST_A=$(topo_instance "${sys:0:1}a")
	INST_B=$(topo_instance "${sys:0:1}b")
	if [ "$BENCH_JUMBO" = 1 ]; then
		read -r mtu devargs <<<"$(bench_jumbo_link "$sys")"
		# Buffers of up to 9.5 KiB: two pools must fit the hugepages.
		opts=(--net.mtu=9000 --resources.pool_size=16383)
	fi
	eal="--no-pci --lcores=0@(0,1),1@(0,1)"
	if [ "$sys" = memif ]; then
		# Path sockets, not abstract ones: those would not cross namespaces.
		sock=$TOPO_DIR/memif.sock
		eal="$eal --vdev=net_memif0,socket-abstract=no,socket=$sock$devargs"
		start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" packet "${opts[@]}" \
			"--machnet.eal_args=$eal,role=server" &&
			start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" packet "${opts[@]}" \
				"--machnet.eal_args=$eal,role=client"
		return
	fi
	ip -n "$TOPO_NS_A" link set "$TOPO_IF_A" mtu "$mtu" &&
		ip -n "$TOPO_NS_B" link set "$TOPO_IF_B" mtu "$mtu" || return 1
	start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$sys" "${opts[@]}" \
		"--machnet.eal_args=$eal --vdev=$(topo_vdev "$sys" "$TOPO_IF_A")$devargs" &&
		start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" "$sys" "${opts[@]}" \
			"--machnet.eal_args=$eal --vdev=$(topo_vdev "$sys" "$TOPO_IF_B")$devargs"
}

bench_stop_machnetds() {
	stop_machnetd "$INST_A"
	stop_machnetd "$INST_B"
	# A program left attached would turn the next PMD's frames away.
	ip -n "$TOPO_NS_A" link set dev "$TOPO_IF_A" xdp off 2>/dev/null
	ip -n "$TOPO_NS_B" link set dev "$TOPO_IF_B" xdp off 2>/dev/null
}

bench_machnet() {
	local sys=$1 size win out link
	bench_log "machnet over $sys"
	if ! bench_machnetds "$sys"; then
		BENCH_NOTE[$sys]="machnetd did not start"
		for size in $BENCH_SIZES; do
			for win in $BENCH_WINDOWS; do
				bench_record "machnet-$sys" "$size" "$win" "" "machnetd did not start"
			done
		done
		bench_stop_machnetds
		return
	fi
	link=$(bench_machnet_link)
	bench_app_server "$TOPO_NS_B" "$INST_B" "$IP_B"
	for size in $BENCH_SIZES; do
		for win in $BENCH_WINDOWS; do
			if out=$(bench_app_client "$TOPO_NS_A" "$INST_A" "$IP_A" "$IP_B" "$size" "$win"); then
				bench_record "machnet-$sys" "$size" "$win" "$out $link"
			else
				bench_record "machnet-$sys" "$size" "$win" "$link" "client failed"
				# A failed run can leave the server's flow wedged.
				topo_stop_app "$BENCH_SERVER" 5
				bench_app_server "$TOPO_NS_B" "$INST_B" "$IP_B"
			fi
		done
	done
	topo_stop_app "$BENCH_SERVER" 5
	bench_machnet_wait "$sys" "$link"
	bench_stop_machnetds
}

# E1 runs of BENCH_WAIT_SIZES with client and server blocking in
# machnet_recv_wait instead of polling: what a blocking application pays in
# latency and saves in CPU. machnetd polls as in every other row.
bench_machnet_wait() {
	local sys=$1 link=$2 size out
	[ -n "$BENCH_WAIT_SIZES" ] && [ "$APP" = msg_gen ] || return 0
	bench_log "machnet over $sys, applications blocking"
	bench_app_server "$TOPO_NS_B" "$INST_B" "$IP_B" wait
	for size in $BENCH_WAIT_SIZES; do
		if out=$(bench_app_client "$TOPO_NS_A" "$INST_A" "$IP_A" "$IP_B" "$size" 1 wait); then
			bench_record "machnet-$sys-wait" "$size" 1 "$out $link"
		else
			bench_record "machnet-$sys-wait" "$size" 1 "$link" "client failed"
		fi
	done
	topo_stop_app "$BENCH_SERVER" 5
}

# One 1 MiB window-32 run of machnet over af_packet at its largest MTU, with
# the cwnd and srtt of host A's flow sampled every 20 ms from /machnet/flows
# (bench/cctrace.py): whether the congestion control lets a bulk flow on
# an idle link fill it. Writes cctrace.tsv.
bench_cctrace() {
	local tracer
	bench_log "congestion window of a bulk flow (af_packet, 1 MiB, window 32)"
	if ! bench_machnetds packet; then
		BENCH_NOTE[cctrace]="machnetd did not start"
		bench_stop_machnetds
		return
	fi
	bench_app_server "$TOPO_NS_B" "$INST_B" "$IP_B"
	python3 "$BENCH_ROOT/bench/cctrace.py" "$INST_A" $((BENCH_SECS + 1)) 20 \
		"$BENCH_OUT/cctrace.tsv" >&2 &
	tracer=$!
	bench_app_client "$TOPO_NS_A" "$INST_A" "$IP_A" "$IP_B" 1048576 32 \
		>"$TOPO_DIR/cctrace.client" || BENCH_NOTE[cctrace]="client failed"
	wait "$tracer" || BENCH_NOTE[cctrace]="the telemetry sampler failed"
	topo_stop_app "$BENCH_SERVER" 5
	bench_stop_machnetds
}

# The kernel's own pair, on the same two namespaces but another veth pair.
bench_kernel_link() {
	KIF_A=k${TOPO_ID}a
	KIF_B=k${TOPO_ID}b
	KIP_A=10.98.0.1
	KIP_B=10.98.0.2
	topo_veth "$TOPO_NS_A" "$KIF_A" "$TOPO_NS_B" "$KIF_B" &&
		ip -n "$TOPO_NS_A" addr add "$KIP_A/24" dev "$KIF_A" &&
		ip -n "$TOPO_NS_B" addr add "$KIP_B/24" dev "$KIF_B" &&
		ip -n "$TOPO_NS_A" link set "$KIF_A" mtu 1500 up &&
		ip -n "$TOPO_NS_B" link set "$KIF_B" mtu 1500 up
}

# One sockpp client run against the server SRV (pid), with its CPU time;
# a TCP stall is retried once by the caller (see the report), so it is
# logged rather than fatal.
bench_sockpp() {
	local proto=$1 size=$2 win=$3 log=$4 srv=$5 cpu out
	cpu=$(bench_cpu_run "$log" "$srv:sockpp" "" \
		timeout $((BENCH_SECS + 30)) ip netns exec "$TOPO_NS_A" "$MN_BIN/sockpp" \
		--client --proto "$proto" --remote "$KIP_B" --port 7777 \
		--size "$size" --window "$win" --count 10000000 \
		--duration "$BENCH_SECS")
	out=$(sed -n 's/^sockpp: proto=//p' "$log")
	if [ -n "$out" ]; then
		echo "$out $cpu"
		return 0
	fi
	bench_log "sockpp $proto $size B window $win: $(tail -n 1 "$log")"
	return 1
}

# Kernel UDP and TCP on the veth's default MTU, which is the kernel's real
# behaviour (GSO hands the veth 64 KB segments whatever the MTU); with an
# MTU given, TCP alone on it, as system kernel-tcp<MTU>.
bench_kernel() {
	local mtu=${1:-} protos="udp tcp" suffix= proto size win log out srv link
	if [ -n "$mtu" ]; then
		protos=tcp
		suffix=$mtu
		ip -n "$TOPO_NS_A" link set "$KIF_A" mtu "$mtu" &&
			ip -n "$TOPO_NS_B" link set "$KIF_B" mtu "$mtu" || return
	fi
	link="mtu=$(bench_link_mtu "$TOPO_NS_A" "$KIF_A")"
	for proto in $protos; do
		bench_log "kernel $proto (sockpp)"
		topo_spawn "$TOPO_NS_B" - "$TOPO_DIR/sockpp.$proto.log" "$MN_BIN/sockpp" \
			--server --proto "$proto" --port 7777
		srv=$TOPO_LAST_PID
		sleep 0.3
		for size in $BENCH_SIZES; do
			for win in $BENCH_WINDOWS; do
				if [ "$proto" = udp ] && [ "$size" -gt "$UDP_MAX" ]; then
					bench_record "kernel-udp" "$size" "$win" "$link" "n/a: over the UDP maximum of $UDP_MAX B"
					continue
				fi
				log=$TOPO_DIR/sockpp.$proto.$size.$win.log
				if ! out=$(bench_sockpp "$proto" "$size" "$win" "$log" "$srv") &&
					! out=$(bench_sockpp "$proto" "$size" "$win" "$log" "$srv"); then
					bench_record "kernel-$proto$suffix" "$size" "$win" "$link" "client failed twice: $(tail -n 1 "$log")"
					continue
				fi
				bench_record "kernel-$proto$suffix" "$size" "$win" "$out $link" \
					"$(grep -o 'lost=[1-9][0-9]*' <<<"$out")"
			done
		done
		topo_stop_app "$srv" 5
	done
	if [ -n "$mtu" ]; then
		ip -n "$TOPO_NS_A" link set "$KIF_A" mtu 1500
		ip -n "$TOPO_NS_B" link set "$KIF_B" mtu 1500
	fi
}

# sockperf ping-pong has one message in flight: it cross-checks E1 only.
bench_sockperf_kv() {
	awk '
	/\[Valid Duration\]/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^RunTime=/) { t = $i; sub(/RunTime=/, "", t); t += 0 }
			if ($i ~ /^ReceivedMessages=/) { n = $i; sub(/ReceivedMessages=/, "", n); n += 0 }
		}
	}
	/<MAX> observation/ { max = $NF }
	/percentile 99.900/ { p999 = $NF }
	/percentile 99.000/ { p99 = $NF }
	/percentile 50.000/ { p50 = $NF }
	END {
		if (n > 0 && t > 0)
			printf "msgs=%d msg_per_s=%.0f p50_us=%s p99_us=%s p999_us=%s max_us=%s\n",
				n, n / t, p50, p99, p999, max
	}'
}

bench_sockperf() {
	local proto size win flag log out link
	if ! bench_need sockperf sockperf; then
		BENCH_NOTE[sockperf]="sockperf is not installable here"
		bench_log "${BENCH_NOTE[sockperf]}"
		return
	fi
	bench_log "sockperf ping-pong"
	link="mtu=$(bench_link_mtu "$TOPO_NS_A" "$KIF_A")"
	topo_spawn "$TOPO_NS_B" - "$TOPO_DIR/sockperf.udp.log" sockperf server -i "$KIP_B" -p 11111
	topo_spawn "$TOPO_NS_B" - "$TOPO_DIR/sockperf.tcp.log" sockperf server -i "$KIP_B" -p 11112 --tcp
	sleep 0.5
	for proto in udp tcp; do
		flag=
		[ "$proto" = tcp ] && flag=--tcp
		for size in $BENCH_SIZES; do
			for win in $BENCH_WINDOWS; do
				if [ "$win" != 1 ]; then
					bench_record "sockperf-$proto" "$size" "$win" "$link" "n/a: ping-pong has one message in flight"
					continue
				fi
				if [ "$size" -gt "$UDP_MAX" ]; then
					bench_record "sockperf-$proto" "$size" "$win" "$link" "n/a: sockperf messages stop at $UDP_MAX B"
					continue
				fi
				log=$TOPO_DIR/sockperf.$proto.$size.log
				# shellcheck disable=SC2086
				timeout $((BENCH_SECS + 30)) ip netns exec "$TOPO_NS_A" sockperf ping-pong \
					-i "$KIP_B" -p $([ "$proto" = tcp ] && echo 11112 || echo 11111) $flag \
					-m "$size" -t "$BENCH_SECS" --full-rtt </dev/null >"$log" 2>&1
				out=$(bench_sockperf_kv <"$log")
				if [ -z "$out" ]; then
					tail -n 3 "$log" >&2
					bench_record "sockperf-$proto" "$size" "$win" "$link" "client failed"
				else
					bench_record "sockperf-$proto" "$size" "$win" "$out $link"
				fi
			done
		done
	done
}

# Sum of the Ir of a callgrind dump, and of the calls to mn_engine_step.
bench_cg_figures() {
	awk '
	/^summary:/ { ir = $2 }
	/^c?fn=\([0-9]+\)/ {
		id = $1; sub(/^c?fn=/, "", id)
		if (NF > 1) name[id] = $2
		if ($1 ~ /^cfn=/) callee = name[id]
	}
	/^calls=/ {
		c = $1; sub(/calls=/, "", c)
		if (callee == "mn_engine_step") steps += c
	}
	END { printf "%s %d\n", ir, steps }' "$1"
}

# A fixed number of 1 KiB request/responses with WIN in flight.
bench_cost_client() {
	local win=$1
	if [ "$APP" = msg_gen ]; then
		topo_run "$TOPO_NS_A" "$INST_A" timeout 180 "$MN_BIN/msg_gen" --local_ip "$IP_A" \
			--remote_ip "$IP_B" --remote_port "$BENCH_PORT" --msg_size 1024 \
			--msg_window "$win" --msg_nr "$BENCH_COST_MSGS" --idle "$BENCH_IDLE" \
			>"$TOPO_DIR/cost.client.log" 2>&1
	else
		topo_run "$TOPO_NS_A" "$INST_A" timeout 180 "$MN_BIN/pingpong" --client \
			--local "$IP_A" --remote "$IP_B" --port "$BENCH_PORT" --size 1024 \
			--window "$win" --count "$BENCH_COST_MSGS" --idle "$BENCH_IDLE" \
			>"$TOPO_DIR/cost.client.log" 2>&1
	fi
}

# 0 when perf counts every one of BENCH_PERF_EVENTS on this machine.
bench_perf_ok() {
	local out
	command -v perf >/dev/null || return 1
	out=$(perf stat -x, -e "$BENCH_PERF_EVENTS" true 2>&1) || return 1
	! grep -q '<not' <<<"$out"
}

# The measured machnetd on host A, started as WRAP... machnetd (WRAP may
# be empty), a plain one on host B and the echo server; sets COST_PID.
# Returns 1, with BENCH_NOTE[cost] set, when either does not start.
bench_cost_pair() {
	local log
	INST_A=$(topo_instance ca)
	INST_B=$(topo_instance cb)
	start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" packet ||
		{ BENCH_NOTE[cost]="machnetd did not start"; return 1; }
	log=$TOPO_DIR/machnetd.$INST_A.log
	ip netns exec "$TOPO_NS_A" "$@" "$MN_BIN/machnetd" -c "$MACHNETD_CONF" \
		"--machnet.instance=$INST_A" "--net.ip=$IP_A" --net.netmask=255.255.255.0 \
		"--machnet.eal_args=--no-pci --lcores=0@(0,1),1@(0,1) --vdev=net_af_packet0,iface=$TOPO_IF_A" \
		--engine.idle=yield </dev/null >"$log" 2>&1 &
	COST_PID=$!
	TOPO_MACHNETD[$INST_A]=$COST_PID
	if ! topo_wait_log "$log" "machnetd: ready" 180 "$COST_PID"; then
		BENCH_NOTE[cost]="machnetd did not start for the cost run: $(tail -n 1 "$log")"
		bench_stop_machnetds
		return 1
	fi
	bench_app_server "$TOPO_NS_B" "$INST_B" "$IP_B"
}

bench_cost_fail() {
	BENCH_NOTE[cost]="the cost run failed (window $1): $(tail -n 1 "$TOPO_DIR/cost.client.log")"
}

# perf stat on the engine thread (machnetd's main thread runs the engine)
# for the length of each fixed-count run; cost.tsv gets one row per event.
bench_cost_perf() {
	local win ppid
	bench_log "CPU cost per message (perf stat -e $BENCH_PERF_EVENTS, af_packet, $BENCH_COST_MSGS x 1 KiB)"
	bench_cost_pair || return
	: >"$TOPO_DIR/cost.tsv"
	for win in 1 32; do
		perf stat -x, -e "$BENCH_PERF_EVENTS" -t "$COST_PID" \
			-o "$TOPO_DIR/perf.$win" &
		ppid=$!
		TOPO_PIDS+=("$ppid")
		sleep 0.5 # perf attaches
		bench_cost_client "$win" || bench_cost_fail "$win"
		kill -INT "$ppid"
		topo_wait_pid "$ppid" 10
		[ -z "${BENCH_NOTE[cost]:-}" ] || break
		awk -F, -v run="window$win" -v n="$BENCH_COST_MSGS" \
			'$1 ~ /^[0-9.]+$/ && $3 != "" {
				printf "%s\t%s\t%s%s\t%s\n", run, n, $3, $2 == "" ? "" : " (" $2 ")", $1
			}' \
			"$TOPO_DIR/perf.$win" >>"$TOPO_DIR/cost.tsv"
	done
	topo_stop_app "$BENCH_SERVER" 5
	bench_stop_machnetds
	[ -z "${BENCH_NOTE[cost]:-}" ] || return
	bench_cost_keep
}

# Instructions of the engine thread, counted by callgrind over the same
# fixed-count runs (exact, and comparable across machines, but user space
# only). The engine polls even when idle, so an idle interval gives the
# cost of one empty pass; at window 1 most passes are empty, at window 32
# few are, so the two runs bracket the cost of the work itself.
bench_cost_callgrind() {
	local win part ir steps run msgs
	if ! bench_need valgrind valgrind || ! command -v callgrind_control >/dev/null; then
		BENCH_NOTE[cost]="neither perf counters nor valgrind are available: no CPU cost figure"
		return
	fi
	bench_log "CPU cost per message (callgrind, af_packet, $BENCH_COST_MSGS x 1 KiB)"
	bench_cost_pair valgrind --tool=callgrind --instr-atstart=no \
		--separate-threads=yes "--callgrind-out-file=$TOPO_DIR/cg.out" || return
	callgrind_control -i on "$COST_PID" >/dev/null
	sleep 2
	callgrind_control -d idle "$COST_PID" >/dev/null
	for win in 1 32; do
		bench_cost_client "$win" || { bench_cost_fail "$win"; break; }
		callgrind_control -d "window$win" "$COST_PID" >/dev/null
	done
	topo_stop_app "$BENCH_SERVER" 5
	bench_stop_machnetds
	[ -z "${BENCH_NOTE[cost]:-}" ] || return
	: >"$TOPO_DIR/cost.tsv"
	part=0
	for run in idle window1 window32; do
		part=$((part + 1))
		msgs=$BENCH_COST_MSGS
		[ "$run" = idle ] && msgs=0
		read -r ir steps < <(bench_cg_figures "$TOPO_DIR/cg.out.$part-01")
		printf '%s\t%s\tinstructions\t%s\n%s\t%s\tengine_passes\t%s\n' \
			"$run" "$msgs" "$ir" "$run" "$msgs" "$steps" >>"$TOPO_DIR/cost.tsv"
	done
	callgrind_annotate --threshold=95 "$TOPO_DIR/cg.out.3-01" 2>/dev/null |
		sed -n '/^Ir/,/^-- Auto-annotated/p' | head -30 >"$TOPO_DIR/cost_profile.txt"
	bench_cost_keep
}

# Publishes the cost files once every run of the measurement succeeded.
bench_cost_keep() {
	mv "$TOPO_DIR/cost.tsv" "$BENCH_OUT/cost.tsv"
	if [ -s "$TOPO_DIR/cost_profile.txt" ]; then
		mv "$TOPO_DIR/cost_profile.txt" "$BENCH_OUT/cost_profile.txt"
	fi
}

bench_cost() {
	if bench_perf_ok; then
		BENCH_NOTE[cost_tool]="perf stat -e $BENCH_PERF_EVENTS on the engine thread"
		bench_cost_perf
		return
	fi
	BENCH_NOTE[cost_tool]="perf stat -e $BENCH_PERF_EVENTS: not supported here (no PMU exposed to the VM, or no perf); valgrind --tool=callgrind instruction counts of the engine thread instead"
	bench_cost_callgrind
}

# blocking.md: the E1 rows of BENCH_WAIT_SIZES, polling beside blocking,
# with each application's CPU seconds per second: the client's own
# (msg_gen's getrusage over its run; bash's time of sockpp's tree) and the
# server's (/proc ticks over the client's run), and both machnetd's.
bench_wait_table() {
	awk -F'\t' -v sizes=" $BENCH_WAIT_SIZES " '
	function ps(v, w) { return (v == "-" || w == "-" || w + 0 <= 0) ? "-" : sprintf("%.2f", v / w) }
	NR > 1 && $3 == 1 && index(sizes, " " $2 " ") && $1 ~ /^(machnet-|kernel-(udp|tcp)$)/ {
		cl = $23 != "-" ? sprintf("%.2f", $23) : ps($21, $11)
		sv = ps($22, $11)
		both = (cl == "-" || sv == "-") ? "-" : sprintf("%.2f", cl + sv)
		app = $1 ~ /-wait$/ ? "blocking" : ($1 ~ /^kernel/ ? "blocking (kernel recv)" : "polling (yield)")
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, app,
			$5, $6, $7, $8, cl, sv, both, ps($13, $11)
	}' "$RAW" | sort >"$TOPO_DIR/blocking.rows"
	{
		echo "| system | size | application | msg/s | p50 us | p99 us | p99.9 us | client CPU/s | server CPU/s | apps CPU/s | machnetd CPU/s |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		cat "$TOPO_DIR/blocking.rows"
	} >"$BENCH_OUT/blocking.md"
}

bench_main() {
	local s
	topo_init
	mkdir -p "$BENCH_OUT"
	RAW=$BENCH_OUT/raw.tsv
	bench_build
	# In bench_record's order; the columns after note came later.
	(
		IFS=$'\t'
		cols=(system size window msgs msg_per_s p50_us p99_us p999_us max_us note
			wall_s procs_s machnetd_s softirq_s cpu_s cpu_us_per_msg cpu_s_per_gb
			mtu mss busy_s client_s server_s cpu_per_s)
		echo "${cols[*]}"
	) >"$RAW"
	rm -f "$BENCH_OUT/cost.tsv" "$BENCH_OUT/cost_profile.txt" "$BENCH_OUT/notes.tsv" \
		"$BENCH_OUT/cctrace.tsv"
	bench_machine
	IP_A=10.99.0.1
	IP_B=10.99.0.2
	topo_two_hosts || topo_fail "cannot build the two-host topology"
	bench_kernel_link || topo_fail "cannot build the kernel's veth pair"
	for s in $BENCH_SYSTEMS; do
		case $s in
		xdp | packet | memif) bench_machnet "$s" ;;
		kernel) bench_kernel ;;
		kernel-jumbo) bench_kernel 9000 ;;
		cctrace) bench_cctrace ;;
		sockperf) bench_sockperf ;;
		cost) bench_cost ;;
		esac
	done
	# Other processes on the machine distort every figure: say how busy it was.
	echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_OUT/machine.txt"
	for s in "${!BENCH_NOTE[@]}"; do
		printf '%s\t%s\n' "$s" "${BENCH_NOTE[$s]}"
	done >"$BENCH_OUT/notes.tsv"
	bench_wait_table
	python3 "$BENCH_ROOT/bench/report.py" "$BENCH_OUT" || topo_fail "report failed"
	if bench_need gnuplot gnuplot-nox; then
		gnuplot "$BENCH_OUT/results.gp" || bench_log "gnuplot failed: no chart"
	else
		bench_log "gnuplot is not installable here: no chart"
	fi
	rm -f "$BENCH_OUT"/*.dat "$BENCH_OUT/results.gp"
	bench_log "done: $BENCH_OUT/results.md"
}

bench_main
