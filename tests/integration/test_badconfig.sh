#!/usr/bin/env bash
# test_badconfig.sh: machnetd refuses a bad setting with exit status 2 and
# one line naming the key, before it touches any device.
#   usage: test_badconfig.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

topo_two_hosts || topo_fail "cannot build the two-host topology"
INST=$(topo_instance a)
VDEV=$(topo_vdev "$TOPO_MODE" "$TOPO_IF_A")

# key=value, expecting the key named in machnetd's one line of output
bad_config() {
	local kv=$1 key=${1%%=*} out=$TOPO_DIR/badconfig.log rc lines
	ip netns exec "$TOPO_NS_A" timeout 20 "$MN_BIN/machnetd" -c "$MACHNETD_CONF" \
		"--machnet.instance=$INST" --net.ip=10.99.0.1 \
		"--machnet.eal_args=--no-pci --lcores=0@(0,1),1@(0,1) --vdev=$VDEV" \
		--engine.idle=sleep "--$kv" </dev/null >"$out" 2>&1
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
echo "PASS: badconfig ($TOPO_MODE)"
