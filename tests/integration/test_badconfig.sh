#!/usr/bin/env bash
# test_badconfig.sh: machnetd refuses a bad setting with exit status 2 and
# one line naming the key, before it touches any device; machnetd --check
# does the same for a bad one and, for a good one, prints every key as
# resolved and exits 0 without starting DPDK (no runtime directory).
#   usage: test_badconfig.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

topo_two_hosts || topo_fail "cannot build the two-host topology"
INST=$(topo_instance a)
VDEV=$(topo_vdev "$TOPO_MODE" "$TOPO_IF_A")

# key=value [more arguments], expecting the key named in machnetd's one
# line of output
bad_config() {
	local kv=$1 key=${1%%=*} out=$TOPO_DIR/badconfig.log rc lines
	shift
	ip netns exec "$TOPO_NS_A" timeout 20 "$MN_BIN/machnetd" -c "$MACHNETD_CONF" \
		"--machnet.instance=$INST" --net.ip=10.99.0.1 \
		"--machnet.eal_args=--no-pci --lcores=0@(0,1),1@(0,1) --vdev=$VDEV" \
		--engine.idle=sleep "--$kv" "$@" </dev/null >"$out" 2>&1
	rc=$?
	rm -rf "/var/run/dpdk/$INST"
	lines=$(wc -l <"$out")
	echo "--$kv: exit $rc: $(head -n 1 "$out")"
	[ "$rc" -eq 2 ] || topo_fail "--$kv: exit $rc, not 2"
	[ "$lines" -eq 1 ] || topo_fail "--$kv: $lines lines of output, not 1"
	grep -qF -- "$key" "$out" || topo_fail "--$kv: output does not name $key"
}

bad_config net.ip=10.99.0.300
bad_config net.netmask=255.0.255.0
bad_config net.mtu=100
bad_config engine.idle=fast
bad_config resources.ring_size=1000
bad_config transport.window=lots
bad_config arp.retries=-1
bad_config transport.no_such_key=1
bad_config net.mtu=100 --check

out=$TOPO_DIR/check.log
"$MN_BIN/machnetd" -c "$MACHNETD_CONF" --check "--machnet.instance=$INST" \
	--net.ip=10.99.0.1 --net.mtu=9000 --cc.beta=0.5 </dev/null >"$out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || topo_fail "--check of a good configuration: exit $rc: $(head -n 3 "$out")"
for line in "instance = $INST" "ip = 10.99.0.1" "mtu = 9000" "beta = 0.5" \
	"[transport]" "window = "; do
	grep -qF -- "$line" "$out" ||
		topo_fail "--check did not print \"$line\""
done
[ ! -e "/var/run/dpdk/$INST" ] || topo_fail "--check started DPDK (runtime directory made)"
echo "--check: exit 0, $(wc -l <"$out") lines, no runtime directory"
echo "PASS: badconfig ($TOPO_MODE)"
