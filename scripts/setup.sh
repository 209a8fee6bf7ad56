#!/usr/bin/env bash
# setup.sh: prepares a Debian 12 machine (as root) for building and testing
# machnet-c: packages, hugepages, hugetlbfs and bpffs. Safe to run again:
# every step first checks whether it is already done, and says so.
set -uo pipefail

HUGEPAGES_MIN=512
PACKAGES=(build-essential pkg-config dpdk dpdk-dev libdpdk-dev libbsd-dev
	check iproute2 iputils-ping procps util-linux coreutils python3
	librte-net-af-xdp23 librte-net-af-packet23 libxdp1 libbpf1
	clang libclang-rt-14-dev) # make fuzz: clang, libFuzzer and its sanitizers

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
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		step packages "already installed (${#PACKAGES[@]} checked)"
		return
	fi
	export DEBIAN_FRONTEND=noninteractive
	if apt-get update -qq >/dev/null &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
		step packages "installed: ${missing[*]}"
	else
		fail packages "apt-get install ${missing[*]}"
	fi
}

reserve_hugepages() {
	local f=/proc/sys/vm/nr_hugepages cur now
	cur=$(cat "$f")
	if [ "$cur" -ge "$HUGEPAGES_MIN" ]; then
		step hugepages "already $cur x 2 MiB reserved"
		return
	fi
	echo "$HUGEPAGES_MIN" >"$f" 2>/dev/null
	now=$(cat "$f")
	if [ "$now" -ge "$HUGEPAGES_MIN" ]; then
		step hugepages "raised from $cur to $now x 2 MiB"
	else
		fail hugepages "asked for $HUGEPAGES_MIN, kernel gave $now"
	fi
}

mount_fs() {
	local name=$1 type=$2 dir=$3 fatal=$4
	if mountpoint -q "$dir" 2>/dev/null; then
		step "$name" "already mounted at $dir"
		return
	fi
	mkdir -p "$dir" 2>/dev/null
	if mount -t "$type" nodev "$dir" 2>/dev/null; then
		step "$name" "mounted $type at $dir"
	elif [ "$fatal" = fatal ]; then
		fail "$name" "mount -t $type $dir"
	else
		step "$name" "could not mount $type at $dir (ignored)"
	fi
}

require_root
install_packages
reserve_hugepages
mount_fs hugetlbfs hugetlbfs /dev/hugepages fatal
mount_fs bpffs bpf /sys/fs/bpf optional
exit "$failed"
