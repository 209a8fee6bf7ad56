/*
 * pool.c: creating the shared packet pool.
 *
 * By default DPDK lays a pool out hugepage by hugepage, so that no object
 * straddles two pages that may not be physically adjacent; the tail of
 * every page is left unused. DPDK 22.11's af_xdp PMD, however, registers
 * the pool with the kernel as one umem of populated_size * object size
 * bytes from the first object: with the gaps, the last few dozen objects lie
 * beyond it. The kernel then rejects frames sent from them as invalid
 * descriptors and drops fill-ring entries that point at them, so packets
 * vanish without a trace and flows stall once the pool is deep enough in
 * use to hand those objects out. Where no device uses physical addresses
 * (virtual devices, or IOVA as VA behind an IOMMU), objects may straddle
 * pages and the pool is one gap-free piece.
 */
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "mn_msg.h"
#include "mn_names.h"
#include "pool.h"

#define MN_POOL_CACHE 256

struct rte_mempool *
mn_pool_create(const struct mn_config *cfg, uint16_t data_room,
	       bool objects_may_span_pages)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
		.mbuf_priv_size = MN_MBUF_PRIV_SIZE,
	};
	unsigned int elt_size = sizeof(struct rte_mbuf) + MN_MBUF_PRIV_SIZE +
				priv.mbuf_data_room_size;
	struct rte_mempool *mp;
	int rc;

	mp = rte_mempool_create_empty(MN_POOL_NAME, cfg->pool_size, elt_size,
				      MN_POOL_CACHE, sizeof(priv), rte_socket_id(),
				      objects_may_span_pages ?
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG : 0);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (rc == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		rc = rte_mempool_populate_default(mp);
	}
	if (rc < 0 || (unsigned int)rc != cfg->pool_size) {
		rte_mempool_free(mp);
		rte_errno = rc < 0 ? -rc : ENOMEM;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

struct span {
	uintptr_t lo, hi;
};

static void
extend_span(struct rte_mempool *mp, void *arg, void *obj,
	    unsigned int idx __rte_unused)
{
	struct span *s = arg;
	uintptr_t start = (uintptr_t)obj - mp->header_size;
	uintptr_t end = (uintptr_t)obj + mp->elt_size + mp->trailer_size;

	s->lo = RTE_MIN(s->lo, start);
	s->hi = RTE_MAX(s->hi, end);
}

bool
mn_pool_is_one_piece(struct rte_mempool *pool)
{
	struct span s = { UINTPTR_MAX, 0 };
	size_t obj_size = pool->header_size + pool->elt_size + pool->trailer_size;

	rte_mempool_obj_iter(pool, extend_span, &s);
	return s.hi - s.lo <= (size_t)pool->populated_size * obj_size;
}
