/*
 * machnet_common.h: the flow type and the message size limit, apart from
 * the calls, because upstream Machnet applications include either this
 * file or machnet.h and both must work here.
 *
 * Upstream's file of this name also carries its shared-memory channel
 * layout (jring, buffer headers, channel contexts) and helper macros
 * (KB, MB, MIN, likely); this project's channels are DPDK rings, so only
 * the public names are here (docs/COMPATIBILITY.md). The system headers
 * upstream's includes are included too: applications may rely on them.
 */
#ifndef MACHNET_COMMON_H
#define MACHNET_COMMON_H

#include <assert.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An int, as upstream's (8 * MB) is, so comparisons behave the same. */
#define MACHNET_MSG_MAX_LEN (8 * 1024 * 1024)

/*
 * A flow as one end names it, like a connected socket's address pair.
 * Addresses and ports are in host byte order. Which end is "src" depends
 * on the direction: see machnet.h.
 */
struct MachnetFlow {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
};
typedef struct MachnetFlow MachnetFlow_t;

#ifdef __cplusplus
}
#endif

#endif /* MACHNET_COMMON_H */
