#!/usr/bin/env bash
# test_install.sh: `make install` puts every file where it belongs and as it
# should be: the unit passes `systemd-analyze verify` (where systemd is
# installed) and names the installed machnetd, which accepts the installed
# configuration; machnetctl and the hugepage step run from the prefix; an
# application builds from machnet.h with `pkg-config --cflags --libs
# machnet` alone, then reports a missing machnetd the documented way. An
# edited configuration survives install and uninstall, as a dpkg conffile
# does, and `make uninstall` leaves no other file behind.
#   usage: test_install.sh xdp|packet   (the mode does not matter here)
# itest: one mode
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
prefix=$TOPO_DIR/prefix

mn_make() {
	make -s -C "$TOPO_ROOT" "$@" PREFIX="$prefix" BUILD="$MN_BUILD" >"$TOPO_DIR/make.log" 2>&1 ||
		topo_fail "make $1: $(tail -5 "$TOPO_DIR/make.log")"
}

mn_make install
files=(bin/machnetd bin/machnetctl bin/machnet-pingpong bin/machnet-msg-gen
	lib/libmachnet.so lib/libmachnet.so.1 lib/libmachnet.a
	include/machnet.h include/machnet_common.h lib/pkgconfig/machnet.pc
	etc/machnet/machnet.conf etc/default/machnet
	share/machnet/machnet.conf share/machnet/machnet.default
	lib/machnet/machnet-hugepages lib/systemd/system/machnetd@.service)
for f in "$TOPO_ROOT"/config/profiles/*.conf; do
	[ -e "$f" ] && files+=("share/machnet/profiles/${f##*/}")
done
py_src=$TOPO_ROOT/bindings/python/machnet
if [ -d "$py_src" ]; then
	while read -r f; do
		files+=("lib/python3/dist-packages/machnet/${f#"$py_src"/}")
	done < <(find "$py_src" -name __pycache__ -prune -o -type f -name '*.py' -print)
fi
for f in "${files[@]}"; do
	[ -e "$prefix/$f" ] || topo_fail "make install did not install $f"
done
for f in bin/machnetd bin/machnetctl lib/machnet/machnet-hugepages; do
	[ -x "$prefix/$f" ] || topo_fail "$f is not executable"
done
[ "$(readlink "$prefix/lib/libmachnet.so")" = libmachnet.so.1 ] ||
	topo_fail "lib/libmachnet.so is not a link to libmachnet.so.1"
readelf -d "$prefix/lib/libmachnet.so.1" | grep -q 'SONAME.*libmachnet.so.1' ||
	topo_fail "libmachnet.so.1 has no soname"
cmp -s "$prefix/etc/machnet/machnet.conf" "$TOPO_ROOT/config/machnet.conf" ||
	topo_fail "etc/machnet/machnet.conf is not the default configuration"
echo "install: ${#files[@]} files in place"

unit=$prefix/lib/systemd/system/machnetd@.service
grep -qx "ExecStart=$prefix/bin/machnetd -c $prefix/etc/machnet/%i.conf --machnet.instance=%i" "$unit" ||
	topo_fail "the unit does not start the installed machnetd on etc/machnet/%i.conf"
grep -q "^ExecStartPre=+$prefix/lib/machnet/machnet-hugepages$" "$unit" ||
	topo_fail "the unit does not run the installed hugepage step"
if command -v systemd-analyze >/dev/null; then
	timeout 60 systemd-analyze verify "$unit" >"$TOPO_DIR/verify.log" 2>&1 ||
		topo_fail "systemd-analyze verify: $(cat "$TOPO_DIR/verify.log")"
	[ -s "$TOPO_DIR/verify.log" ] &&
		topo_fail "systemd-analyze verify warns: $(cat "$TOPO_DIR/verify.log")"
	echo "systemd-analyze verify: passed"
else
	echo "systemd-analyze verify: skipped (no systemd-analyze: Debian's systemd package has it)"
fi
# The unit's own validation step, on the configuration it would read.
"$prefix/bin/machnetd" -c "$prefix/etc/machnet/machnet.conf" --machnet.instance=machnet \
	--check >"$TOPO_DIR/check.log" 2>&1 ||
	topo_fail "the installed machnetd rejects the installed configuration: $(cat "$TOPO_DIR/check.log")"
grep -qx 'instance = machnet' "$TOPO_DIR/check.log" ||
	topo_fail "machnetd --check did not take the unit's instance"
# Asked for what is reserved already, the step changes nothing and says so.
out=$(MACHNET_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages) "$prefix/lib/machnet/machnet-hugepages") ||
	topo_fail "the hugepage step failed: $out"
grep -q 'hugepages  already' <<<"$out" && grep -q 'hugetlbfs  already mounted' <<<"$out" ||
	topo_fail "the hugepage step did not find the set-up done: $out"

export PYTHONPATH=$prefix/lib/python3/dist-packages
out=$(timeout 20 "$prefix/bin/machnetctl" --help 2>&1) ||
	topo_fail "machnetctl --help: $out"
grep -qi usage <<<"$out" || topo_fail "machnetctl --help printed no usage: $out"
if [ -d "$py_src" ]; then
	# It finds the installed library, and reports the missing machnetd.
	out=$(LD_LIBRARY_PATH=$prefix/lib MACHNET_INSTANCE=mnnone$$ timeout 20 \
		/usr/bin/python3 -c '
import errno, machnet
try:
    machnet.init()
except machnet.MachnetError as e:
    print("errno", errno.errorcode[e.errno])' 2>"$TOPO_DIR/py.log")
	[ "$out" = "errno ENODEV" ] ||
		topo_fail "the installed Python binding, with no machnetd: $out"
fi

# As upstream applications do: machnet_common.h first, a tagged struct,
# and stdio from machnet.h.
cat >"$TOPO_DIR/app.c" <<'APP'
#include <errno.h>
#include "machnet_common.h"
#include "machnet.h"
int main(void)
{
	struct MachnetFlow flow = { 0 };

	if (machnet_init() == 0 || errno != ENODEV || flow.src_port != 0)
		return 1;
	puts("app: no machnetd, as expected");
	return 0;
}
APP
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$TOPO_DIR/app" "$TOPO_DIR/app.c" \
	$(pkg-config --cflags --libs machnet) -Wl,-rpath,"$prefix/lib" ||
	topo_fail "an application does not build with pkg-config alone"
MACHNET_INSTANCE=$(topo_instance none) "$TOPO_DIR/app" ||
	topo_fail "the installed library did not report the missing machnetd"

# An edited configuration is the administrator's: install keeps it, and so
# does uninstall, which takes everything else.
conf=$prefix/etc/machnet/machnet.conf
echo '; edited by test_install' >>"$conf"
mn_make install
grep -q 'KEEP.*machnet.conf' "$TOPO_DIR/make.log" && tail -1 "$conf" | grep -q 'edited by test_install' ||
	topo_fail "make install replaced an edited machnet.conf"
mn_make uninstall
left=$(cd "$prefix" && find . ! -type d | sort)
[ "$left" = ./etc/machnet/machnet.conf ] ||
	topo_fail "make uninstall left other than the edited configuration: $left"
rm "$conf"
mn_make install
mn_make uninstall
left=$(cd "$prefix" && find . ! -type d)
[ -z "$left" ] || topo_fail "make uninstall left files behind: $left"
left=$(cd "$prefix" && find . -path '*machnet*')
[ -z "$left" ] || topo_fail "make uninstall left machnet's directories behind: $left"
echo "uninstall: nothing left"
echo "PASS: install ($TOPO_MODE)"
