#!/usr/bin/env bash
# test_deb.sh: `make deb` gives a Debian package that dpkg accepts, whose
# dependencies name the installed DPDK runtime packages that machnetd and
# libmachnet need (and python3, for machnetctl), whose /etc files are
# conffiles, and whose machnetd, unpacked, runs on its own configuration.
# The package is built from MN_BUILD (nothing is rebuilt that is up to
# date) and never installed on this machine.
#   usage: test_deb.sh xdp|packet   (the mode does not matter here)
# itest: one mode
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

make -s -C "$TOPO_ROOT" deb BUILD="$MN_BUILD" >"$TOPO_DIR/make.log" 2>&1 ||
	topo_fail "make deb: $(tail -5 "$TOPO_DIR/make.log")"
version=$(sed -n 's/^VERSION := //p' "$TOPO_ROOT/Makefile")
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb=$MN_BIN/machnet_${version}_$arch.deb
[ -s "$deb" ] || topo_fail "make deb did not write $deb"

field() {
	dpkg-deb -f "$deb" "$1"
}
[ "$(field Package)" = machnet ] || topo_fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || topo_fail "Version: $(field Version), not $version"
[ "$(field Architecture)" = "$arch" ] || topo_fail "Architecture: $(field Architecture)"
[ -n "$(field Maintainer)" ] || topo_fail "no Maintainer"
[ -n "$(field Description)" ] || topo_fail "no Description"
depends=$(field Depends)
for p in libc6 libbsd0 librte-eal librte-ethdev librte-mbuf librte-net-af-packet python3; do
	grep -qE "(^|, )${p}[0-9]*( |,|$)" <<<"$depends" || topo_fail "Depends lacks $p: $depends"
done
# Every dependency is a real package, installed here as machnetd was built
# against it.
for p in $(sed 's/([^)]*)//g; s/,/ /g' <<<"$depends"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		topo_fail "Depends names $p, which is not an installed package"
done
echo "deb: Depends: $depends"

ctrl=$TOPO_DIR/DEBIAN
dpkg-deb -e "$deb" "$ctrl" || topo_fail "dpkg-deb -e failed"
for f in /etc/machnet/machnet.conf /etc/default/machnet; do
	grep -qx "$f" "$ctrl/conffiles" || topo_fail "$f is not a conffile"
done
grep -qx 'libmachnet 1 machnet (>= .*)' "$ctrl/shlibs" || topo_fail "no shlibs for libmachnet.so.1"
for s in postinst prerm postrm; do
	[ -x "$ctrl/$s" ] && sh -n "$ctrl/$s" || topo_fail "DEBIAN/$s is not a valid script"
done

dpkg-deb -c "$deb" >"$TOPO_DIR/contents" || topo_fail "dpkg-deb -c failed"
grep -v ' root/root ' "$TOPO_DIR/contents" && topo_fail "files not owned by root"
for f in usr/bin/machnetd usr/bin/machnetctl "usr/lib/$multiarch/libmachnet.so.1" \
	"usr/lib/$multiarch/libmachnet.so" "usr/lib/$multiarch/libmachnet.a" \
	usr/include/machnet.h usr/include/machnet_common.h \
	"usr/lib/$multiarch/pkgconfig/machnet.pc" etc/machnet/machnet.conf \
	etc/default/machnet usr/lib/machnet/machnet-hugepages; do
	grep -qE " \./$f( |$)" "$TOPO_DIR/contents" || topo_fail "the package lacks $f"
done
grep -qE ' \./(usr/)?lib/systemd/system/machnetd@\.service$' "$TOPO_DIR/contents" ||
	topo_fail "the package lacks the systemd unit"
echo "deb: $(grep -vc '/$' "$TOPO_DIR/contents") files in place"

# Unpacked, the package's own machnetd takes the package's own
# configuration, and the unit and machnet.pc name where the files are.
x=$TOPO_DIR/x
dpkg-deb -x "$deb" "$x" || topo_fail "dpkg-deb -x failed"
"$x/usr/bin/machnetd" --help >"$TOPO_DIR/help.log" 2>&1 && grep -q '^usage: machnetd' "$TOPO_DIR/help.log" ||
	topo_fail "the packaged machnetd --help: $(cat "$TOPO_DIR/help.log")"
"$x/usr/bin/machnetd" -c "$x/etc/machnet/machnet.conf" --check >"$TOPO_DIR/check.log" 2>&1 ||
	topo_fail "the packaged machnetd rejects the packaged configuration: $(cat "$TOPO_DIR/check.log")"
unit=$(find "$x" -name 'machnetd@.service')
grep -qx 'ExecStart=/usr/bin/machnetd -c /etc/machnet/%i.conf --machnet.instance=%i' "$unit" ||
	topo_fail "the packaged unit does not run /usr/bin/machnetd on /etc/machnet/%i.conf"
grep -qx "libdir=/usr/lib/$multiarch" "$x/usr/lib/$multiarch/pkgconfig/machnet.pc" ||
	topo_fail "the packaged machnet.pc does not name /usr/lib/$multiarch"
echo "PASS: deb ($TOPO_MODE)"
