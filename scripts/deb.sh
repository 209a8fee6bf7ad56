#!/usr/bin/env bash
# deb.sh: `make deb`'s second half. Turns a tree that `make install
# DESTDIR=ROOT PREFIX=/usr` staged into a Debian package with dpkg's own
# tools, so that it installs, upgrades and removes as Debian's packages do:
# the dependencies computed by dpkg-shlibdeps, every file under /etc a
# conffile, libmachnet's shlibs for packages built against it, and the
# maintainer scripts of config/deb/.
#   usage: scripts/deb.sh ROOT VERSION OUT.deb
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 ROOT VERSION OUT.deb" >&2
	exit 2
fi
root=$(cd "$1" && pwd)
version=$2
out=$3
src=$(cd "$(dirname "$0")/.." && pwd)/config/deb
maintainer=${DEB_MAINTAINER:-machnet-c developers <machnet-c@localhost>}

mkdir -p "$root/DEBIAN"
install -m 755 "$src/postinst" "$src/prerm" "$src/postrm" "$root/DEBIAN/"
install -m 644 "$src/triggers" "$root/DEBIAN/"
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
echo "libmachnet 1 machnet (>= $version)" >"$root/DEBIAN/shlibs"

# dpkg-shlibdeps reads debian/control, which this package has no other use
# for; -S finds libmachnet.so.1 in the package itself, and -x drops the
# dependency of the examples on their own package.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
printf 'Source: machnet\n\nPackage: machnet\nArchitecture: any\n' >"$work/debian/control"
mapfile -t elves < <(find "$root/usr" -type f \( -perm -u+x -o -name '*.so.*' \) \
	-exec sh -c 'head -c 4 "$1" | grep -q ELF' sh {} \; -print | sort)
shlibs=$(cd "$work" && dpkg-shlibdeps -O -xmachnet -S"$root" "${elves[@]/#/-e}")
shlibs=${shlibs#shlibs:Depends=}

# EAL loads the PMDs as plugins, so no binary names them: the one the
# default configuration uses is a dependency, af_xdp's is recommended and
# those of the NIC profiles are suggested, each of the ABI of the
# librte-eal that machnetd links.
abi=$(sed -n 's/.*librte-eal\([0-9]*\).*/\1/p' <<<"$shlibs")
if [ -z "$abi" ]; then
	echo "$0: dpkg-shlibdeps found no librte-eal in: $shlibs" >&2
	exit 1
fi
pmd() {
	local d=$1
	case $d in *[0-9]) d=$d- ;; esac
	echo "librte-net-$d$abi"
}
depends="$shlibs, $(pmd af-packet), python3"
recommends="$(pmd af-xdp)"
suggests="dpdk, $(pmd netvsc), $(pmd vdev-netvsc), $(pmd failsafe), $(pmd ena), $(pmd gve), $(pmd ice), $(pmd iavf), $(pmd mlx5)"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$(dpkg --print-architecture)|" \
	-e "s|@MAINTAINER@|$maintainer|" -e "s|@SIZE@|$size|" \
	-e "s|@DEPENDS@|$depends|" -e "s|@RECOMMENDS@|$recommends|" \
	-e "s|@SUGGESTS@|$suggests|" "$src/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print |
	sed 's|^\./||' | sort | xargs -r md5sum) >"$root/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
