#!/usr/bin/env bash
# setup.sh: prepares a Debian 12 machine (as root) for building and testing
# machnet-c: packages, hugepages, hugetlbfs and bpffs. Safe to run again:
# every step first checks whether it is already done, and says so.
#
# systemd is not among the packages, although test_install.sh runs
# `systemd-analyze verify` on the unit when it can: it is the init system,
# some 15 MB with its libraries, and its installation sets up users, units
# and a machine id on a machine (a container, often) that does not boot with
# it. The test says "skipped" where it is missing.
set -uo pipefail

HUGEPAGES_MIN=512
PACKAGES=(build-essential pkg-config dpdk dpdk-dev libdpdk-dev libbsd-dev
	check iproute2 iputils-ping procps util-linux coreutils python3
	librte-net-af-xdp23 librte-net-af-packet23 libxdp1 libbpf1
	clang libclang-rt-14-dev # make fuzz: clang, libFuzzer and its sanitizers
	python3-pytest           # the Python binding's tests
	dpkg-dev)                # make deb: dpkg-shlibdeps

failed=0

step() {
	printf 'setup: %-10s %s\n' "$1" "$2"
}

fail() {
	step "$1" "FAILED: $2"
	failed=1
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		step root "FAILED: must run as root"
		exit 1
	fi
}

install_packages() {
	local missing=() p log
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		step packages "already installed (${#PACKAGES[@]} checked)"
		return
	fi
	export DEBIAN_FRONTEND=noninteractive
	# apt's chatter (debconf's notes among it) is shown only on failure.
	log=$(mktemp)
	if apt-get update -qq >"$log" 2>&1 &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
		rm -f "$log"
		step packages "installed: ${missing[*]}"
	else
		tail -n 20 "$log" >&2
		rm -f "$log"
		fail packages "apt-get install ${missing[*]}"
	fi
}

# The same step that machnetd@.service runs before each start, with
# setup's own lines.
hugepages() {
	MACHNET_HUGEPAGES=$HUGEPAGES_MIN MACHNET_HUGEPAGES_TAG=setup \
		bash "$(dirname "$0")/machnet-hugepages" || failed=1
}

# libxdp (af_xdp) keeps its state here when it can; af_xdp works without
# it, so a failure is only noted.
mount_bpffs() {
	local dir=/sys/fs/bpf
	if mountpoint -q "$dir" 2>/dev/null; then
		step bpffs "already mounted at $dir"
		return
	fi
	mkdir -p "$dir" 2>/dev/null
	if mount -t bpf nodev "$dir" 2>/dev/null; then
		step bpffs "mounted bpf at $dir"
	else
		step bpffs "could not mount bpf at $dir (ignored)"
	fi
}

require_root
install_packages
hugepages
mount_bpffs
exit "$failed"
