#!/usr/bin/env bash
# test_install.sh: `make install` gives what an application needs, and an
# application builds from machnet.h with `pkg-config --cflags --libs machnet`
# alone, then reports a missing machnetd the documented way.
#   usage: test_install.sh xdp|packet   (the mode does not matter here)
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
prefix=$TOPO_DIR/prefix

make -s -C "$TOPO_ROOT" install PREFIX="$prefix" BUILD="$MN_BUILD" >"$TOPO_DIR/install.log" 2>&1 ||
	topo_fail "make install: $(tail -5 "$TOPO_DIR/install.log")"
for f in bin/machnetd lib/libmachnet.so lib/libmachnet.so.1 lib/libmachnet.a \
	include/machnet.h include/machnet_common.h lib/pkgconfig/machnet.pc etc/machnet/machnet.conf; do
	[ -e "$prefix/$f" ] || topo_fail "make install did not install $f"
done
readelf -d "$prefix/lib/libmachnet.so.1" | grep -q 'SONAME.*libmachnet.so.1' ||
	topo_fail "libmachnet.so.1 has no soname"

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
echo "PASS: install ($TOPO_MODE)"
