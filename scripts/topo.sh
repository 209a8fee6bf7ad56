# topo.sh: test topologies on one machine, to be sourced by bash scripts.
#
# A "host" is a network namespace and hosts are joined by veth pairs,
# because the machine has no spare NIC. Every name carries a per-run id so
# parallel or leftover runs never collide, and everything created here
# (namespaces, processes, DPDK runtime dirs, logs) is recorded so that
# topo_cleanup can undo it even after a failure.
#
#   topo_init [MODE]               id, log dir, cleanup traps
#   topo_two_hosts                 ns A <-> ns B, both ends for DPDK
#   topo_two_machnetds [ARGS...]   the same, with a machnetd on each host
#   topo_kernel_host CIDR          ns M (DPDK end) <-> ns K (kernel, CIDR)
#   topo_bridge_hosts N            hosts 1..N <-> a Linux bridge in its own ns
#   topo_bridge_machnetds N [ARGS...]  the same, with a machnetd on each host
#   start_machnetd NS INST IP IFACE MODE [ARGS...]
#   stop_machnetd INST             returns machnetd's exit status
#   topo_spawn NS INST LOG CMD...  background app, pid in TOPO_LAST_PID
#   topo_run NS INST CMD...        foreground app
#   topo_wait_pid PID SECS         status of a spawned app, 124 on timeout
#   topo_stop_app PID [SECS]       SIGTERM, then its status as above
#   topo_wait_log FILE TEXT SECS
#   topo_counter INST NAME         one of machnetd's /machnet/counters
#   topo_telemetry INST CMD        a telemetry command's reply, as JSON
#   topo_pingpong_server NS INST IP [ARGS...]  echo server, pid in SERVER
#   topo_fail MSG                  prints every log tail and MSG, exits 1
#   topo_cleanup                   safe to call twice

TOPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MN_BUILD=${MN_BUILD:-build}
case $MN_BUILD in
/*) MN_BIN=$MN_BUILD ;;
*) MN_BIN=$TOPO_ROOT/$MN_BUILD ;;
esac
MACHNETD_CONF=${MACHNETD_CONF:-$TOPO_ROOT/config/machnet.conf}
MACHNETD_READY_SECS=${MACHNETD_READY_SECS:-20}

declare -a TOPO_NS=()
declare -a TOPO_PIDS=()
declare -A TOPO_MACHNETD=()
TOPO_ID=
TOPO_DIR=
TOPO_LAST_PID=

# MODE (xdp|packet), when given, is checked and kept in TOPO_MODE.
topo_init() {
	TOPO_MODE=${1:-}
	if [ $# -gt 0 ] && ! topo_vdev "$TOPO_MODE" x >/dev/null; then
		echo "usage: $0 xdp|packet" >&2
		exit 2
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "$0: must run as root" >&2
		exit 2
	fi
	TOPO_ID=$(printf '%x%03x' $$ $((RANDOM % 4096)))
	TOPO_DIR=$(mktemp -d "/tmp/mntopo.$TOPO_ID.XXXX")
	trap topo_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

topo_instance() {
	echo "mn${TOPO_ID}$1"
}

topo_add_ns() {
	ip netns add "$1" || return 1
	TOPO_NS+=("$1")
	ip -n "$1" link set lo up
}

# A link end that DPDK drives: up, MTU 1500, no IP, IPv6 off.
topo_dpdk_end() {
	local ns=$1 ifc=$2
	ip -n "$ns" link set "$ifc" mtu 1500 up &&
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
}

topo_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
}

# Sets TOPO_NS_A/B and TOPO_IF_A/B.
topo_two_hosts() {
	TOPO_NS_A=mn-$TOPO_ID-a
	TOPO_NS_B=mn-$TOPO_ID-b
	TOPO_IF_A=mn${TOPO_ID}a
	TOPO_IF_B=mn${TOPO_ID}b
	topo_add_ns "$TOPO_NS_A" && topo_add_ns "$TOPO_NS_B" &&
		topo_veth "$TOPO_NS_A" "$TOPO_IF_A" "$TOPO_NS_B" "$TOPO_IF_B" &&
		topo_dpdk_end "$TOPO_NS_A" "$TOPO_IF_A" &&
		topo_dpdk_end "$TOPO_NS_B" "$TOPO_IF_B"
}

# Two hosts, each with its machnetd (ARGS go to both): sets IP_A/B and
# INST_A/B as well as what topo_two_hosts sets; stops the test on any failure.
topo_two_machnetds() {
	IP_A=10.99.0.1
	IP_B=10.99.0.2
	topo_two_hosts || topo_fail "cannot build the two-host topology"
	INST_A=$(topo_instance a)
	INST_B=$(topo_instance b)
	start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" "$@" ||
		topo_fail "machnetd on host A"
	start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" "$TOPO_MODE" "$@" ||
		topo_fail "machnetd on host B"
}

# Sets TOPO_NS_M/K and TOPO_IF_M/K; the kernel end gets address $1 (CIDR).
topo_kernel_host() {
	TOPO_NS_M=mn-$TOPO_ID-m
	TOPO_NS_K=mn-$TOPO_ID-k
	TOPO_IF_M=mn${TOPO_ID}m
	TOPO_IF_K=mn${TOPO_ID}k
	topo_add_ns "$TOPO_NS_M" && topo_add_ns "$TOPO_NS_K" &&
		topo_veth "$TOPO_NS_M" "$TOPO_IF_M" "$TOPO_NS_K" "$TOPO_IF_K" &&
		topo_dpdk_end "$TOPO_NS_M" "$TOPO_IF_M" &&
		ip -n "$TOPO_NS_K" link set "$TOPO_IF_K" mtu 1500 up &&
		ip -n "$TOPO_NS_K" addr add "$1" dev "$TOPO_IF_K"
}

# N hosts (1..N) joined by a Linux bridge, because incast needs several
# senders to share one receiver's link as they would on a switch. The bridge
# lives in its own namespace with the other veth ends as its ports; IPv6 is
# off there so the bridge forwards nothing but the test's traffic. Sets
# TOPO_NS_BR, TOPO_HOST_NS[i] and TOPO_HOST_IF[i] (the DPDK end of host i).
declare -a TOPO_HOST_NS=() TOPO_HOST_IF=()
topo_bridge_hosts() {
	local n=$1 i port
	TOPO_NS_BR=mn-$TOPO_ID-br
	topo_add_ns "$TOPO_NS_BR" &&
		ip netns exec "$TOPO_NS_BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$TOPO_NS_BR" link add br0 type bridge stp_state 0 &&
		ip -n "$TOPO_NS_BR" link set br0 up || return 1
	for ((i = 1; i <= n; i++)); do
		TOPO_HOST_NS[i]=mn-$TOPO_ID-h$i
		TOPO_HOST_IF[i]=mn${TOPO_ID}h$i
		port=mn${TOPO_ID}p$i
		topo_add_ns "${TOPO_HOST_NS[i]}" &&
			topo_veth "${TOPO_HOST_NS[i]}" "${TOPO_HOST_IF[i]}" \
				"$TOPO_NS_BR" "$port" &&
			topo_dpdk_end "${TOPO_HOST_NS[i]}" "${TOPO_HOST_IF[i]}" &&
			ip -n "$TOPO_NS_BR" link set "$port" master br0 mtu 1500 up ||
			return 1
	done
}

# topo_bridge_hosts N with a machnetd on every host; ARGS go to each one.
# Sets TOPO_HOST_IP[i] (10.98.0.i) and TOPO_HOST_INST[i]; stops the test on
# any failure.
declare -a TOPO_HOST_IP=() TOPO_HOST_INST=()
topo_bridge_machnetds() {
	local n=$1 i
	shift
	topo_bridge_hosts "$n" || topo_fail "cannot build the bridge topology"
	for ((i = 1; i <= n; i++)); do
		TOPO_HOST_IP[i]=10.98.0.$i
		TOPO_HOST_INST[i]=$(topo_instance "h$i")
		start_machnetd "${TOPO_HOST_NS[i]}" "${TOPO_HOST_INST[i]}" \
			"${TOPO_HOST_IP[i]}" "${TOPO_HOST_IF[i]}" "$TOPO_MODE" "$@" ||
			topo_fail "machnetd on host $i"
	done
}

# busy_budget=0: DPDK 22.11's af_xdp otherwise asks for preferred busy
# polling, which on a veth (no napi_defer_hard_irqs, no gro_flush_timeout)
# leaves packets waiting for softirq work: window-1 round trips went from
# about 50 us to 300 us with it on this VM.
topo_vdev() {
	case $1 in
	xdp) echo "net_af_xdp0,iface=$2,busy_budget=0" ;;
	packet) echo "net_af_packet0,iface=$2" ;;
	*) return 1 ;;
	esac
}

# Waits until FILE contains TEXT; fails after SECS or when PID (if given) dies.
topo_wait_log() {
	local file=$1 text=$2 secs=$3 pid=${4:-} i
	for ((i = 0; i < secs * 10; i++)); do
		grep -qF -- "$text" "$file" 2>/dev/null && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -qF -- "$text" "$file" 2>/dev/null
			return
		fi
		sleep 0.1
	done
	return 1
}

topo_log_tail() {
	echo "---- $1 (last ${2:-20} lines)"
	tail -n "${2:-20}" "$1" 2>/dev/null
}

start_machnetd() {
	local ns=$1 inst=$2 ip=$3 ifc=$4 mode=$5 vdev log pid
	shift 5
	vdev=$(topo_vdev "$mode" "$ifc") || {
		echo "start_machnetd: unknown mode '$mode'" >&2
		return 1
	}
	log=$TOPO_DIR/machnetd.$inst.log
	# Emptied here, not by the redirection of the background job: a
	# restarted instance's old "ready" line must not be taken for the new.
	: >"$log"
	ip netns exec "$ns" "$MN_BIN/machnetd" -c "$MACHNETD_CONF" \
		"--machnet.instance=$inst" "--net.ip=$ip" --net.netmask=255.255.255.0 \
		"--machnet.eal_args=--no-pci --lcores=0@(0,1),1@(0,1) --vdev=$vdev" \
		--engine.idle=yield "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	TOPO_MACHNETD[$inst]=$pid
	if ! topo_wait_log "$log" "machnetd: ready" "$MACHNETD_READY_SECS" "$pid"; then
		echo "start_machnetd: $inst ($mode on $ns/$ifc) not ready" >&2
		topo_log_tail "$log" >&2
		stop_machnetd "$inst"
		mv "$log" "$log.shown" # topo_fail need not show it again
		return 1
	fi
}

# Kills pid (TERM, then KILL after secs) and reaps it; returns its status.
topo_kill_wait() {
	local pid=$1 secs=${2:-10} i
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

stop_machnetd() {
	local inst=$1 pid rc
	pid=${TOPO_MACHNETD[$inst]:-}
	[ -n "$pid" ] || return 0
	topo_kill_wait "$pid" 10
	rc=$?
	unset "TOPO_MACHNETD[$inst]"
	# A machnetd that had to be killed leaves its runtime files and pages.
	rm -rf "/var/run/dpdk/$inst"
	rm -f "/dev/hugepages/${inst}map_"*
	return "$rc"
}

topo_spawn() {
	local ns=$1 inst=$2 log=$3
	shift 3
	ip netns exec "$ns" env "MACHNET_INSTANCE=$inst" "$@" </dev/null >"$log" 2>&1 &
	TOPO_LAST_PID=$!
	TOPO_PIDS+=("$TOPO_LAST_PID")
}

# Reaps a spawned pid so that cleanup never signals a recycled pid.
topo_wait_pid() {
	local pid=$1 secs=$2 i rc keep=()
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		[[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && break
		sleep 0.1
	done
	[ "$i" -lt $((secs * 10)) ] || return 124
	wait "$pid"
	rc=$?
	for i in "${TOPO_PIDS[@]}"; do
		[ "$i" = "$pid" ] || keep+=("$i")
	done
	TOPO_PIDS=("${keep[@]}")
	return "$rc"
}

topo_stop_app() {
	kill -TERM "$1" 2>/dev/null
	topo_wait_pid "$1" "${2:-10}"
}

topo_run() {
	local ns=$1 inst=$2
	shift 2
	ip netns exec "$ns" env "MACHNET_INSTANCE=$inst" "$@" </dev/null
}

# A pingpong echo server on host NS, logging to $TOPO_DIR/server.log; its
# pid in SERVER once it listens, or the test stops.
topo_pingpong_server() {
	local ns=$1 inst=$2 ip=$3
	shift 3
	topo_spawn "$ns" "$inst" "$TOPO_DIR/server.log" \
		"$MN_BIN/pingpong" --server --local "$ip" "$@"
	SERVER=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$SERVER" ||
		topo_fail "pingpong server did not start"
}

# Two machnetds, a pingpong echo server on B and a long-running 1 KiB
# client on A (window 8), logging to $TOPO_DIR/client.log; its pid in CLIENT
# once it has connected, or the test stops.
topo_pingpong_pair() {
	topo_two_machnetds
	topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B"
	topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/client.log" "$MN_BIN/pingpong" \
		--client --local "$IP_A" --remote "$IP_B" --count 100000000 --size 1024 \
		--window 8 --timeout 60
	CLIENT=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/client.log" "connected" 10 "$CLIENT" ||
		topo_fail "pingpong client did not connect"
}

# Prints counter NAME of machnetd instance INST (/machnet/counters).
topo_counter() {
	echo /machnet/counters | dpdk-telemetry.py -f "$1" 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["/machnet/counters"][sys.argv[1]])' "$2"
}

# Prints what machnetd instance INST answers to telemetry command CMD (e.g.
# /machnet/flows or /machnet/flows,32), as one line of JSON.
topo_telemetry() {
	echo "$2" | dpdk-telemetry.py -f "$1" 2>/dev/null |
		python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1].split(",")[0]]))' "$2"
}

# The verdict comes last, where a runner showing the tail of it looks.
topo_fail() {
	local f
	for f in "$TOPO_DIR"/*.log; do
		[ -e "$f" ] && topo_log_tail "$f" 15
	done
	echo "FAIL: $*"
	exit 1
}

topo_cleanup() {
	local pid inst ns
	for pid in "${TOPO_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && topo_kill_wait "$pid" 5
	done
	TOPO_PIDS=()
	for inst in "${!TOPO_MACHNETD[@]}"; do
		stop_machnetd "$inst"
	done
	for ns in "${TOPO_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	TOPO_NS=()
	if [ -n "$TOPO_DIR" ] && [ -d "$TOPO_DIR" ]; then
		rm -rf "$TOPO_DIR"
	fi
	TOPO_DIR=
}
