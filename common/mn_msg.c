/*
 * mn_msg.c: building, reading and freeing message chains.
 *
 * Applications may share an lcore id with machnetd or with each other, so
 * nothing here goes through a mempool's lcore-indexed cache: mbufs come
 * from the pool itself and go back to it, in bulks so that an 8 MiB
 * message does not cost thousands of ring operations.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "mn_cksum.h"
#include "mn_msg.h"

/* mbufs taken from or given back to the pool in one ring operation. */
#define MSG_BULK 64

/* A read or write position inside an array of iovecs. */
struct iov_cursor {
	const struct mn_iov *iov;
	int left;   /* iovecs not used up yet, the current one included */
	size_t off; /* into the current one */
};

/*
 * The next contiguous piece of at most want bytes at the cursor, or 0 once
 * the iovecs are used up. mn_iov is const because most users only read
 * through it; mn_msg_copy_out() writes through the same cursor.
 */
static size_t
cursor_next(struct iov_cursor *c, size_t want, uint8_t **p)
{
	size_t n;

	while (c->left > 0 && c->off == c->iov->len) {
		c->iov++;
		c->left--;
		c->off = 0;
	}
	if (c->left == 0)
		return 0;
	n = RTE_MIN(want, c->iov->len - c->off);
	*p = (uint8_t *)(uintptr_t)c->iov->base + c->off;
	c->off += n;
	return n;
}

/* True when the iovecs are usable and hold exactly msg_len bytes. */
static int
iov_holds(const struct mn_iov *iov, int iovcnt, uint32_t msg_len)
{
	uint32_t total = 0;
	int i;

	if (iovcnt < 0 || (iov == NULL && iovcnt > 0))
		return 0;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].len > 0 && iov[i].base == NULL)
			return 0;
		if (iov[i].len > msg_len - total)
			return 0;
		total += (uint32_t)iov[i].len;
	}
	return total == msg_len;
}

/*
 * True when a segment of mss payload bytes fits after the headroom and the
 * private area holds the metadata.
 */
static int
pool_fits(struct rte_mempool *mp, uint32_t mss)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp);

	return mss > 0 && room > RTE_PKTMBUF_HEADROOM &&
	       mss <= room - RTE_PKTMBUF_HEADROOM &&
	       rte_pktmbuf_priv_size(mp) >= sizeof(struct mn_msg_meta);
}

/*
 * Takes n fresh segments straight from the pool. The metadata is cleared
 * in every segment, not just the head, because the engine keeps per
 * segment state in it.
 */
static int
seg_get_bulk(struct rte_mempool *mp, struct rte_mbuf **segs, unsigned int n)
{
	unsigned int i;

	if (rte_mempool_generic_get(mp, (void **)segs, n, NULL) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		rte_pktmbuf_reset(segs[i]);
		memset(mn_msg_meta(segs[i]), 0, sizeof(struct mn_msg_meta));
	}
	return 0;
}

static void
seg_fill(struct rte_mbuf *m, struct iov_cursor *c, uint32_t len, bool sum)
{
	uint8_t *dst = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *src = NULL;
	size_t n;

	/* Each segment is a packet to the engine, so it gets its own length. */
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	while (len > 0) {
		n = cursor_next(c, len, &src);
		memcpy(dst, src, n);
		dst += n;
		len -= (uint32_t)n;
	}
	if (sum)
		mn_msg_meta(m)->payload_sum =
			mn_cksum(rte_pktmbuf_mtod(m, const void *), m->data_len);
}

struct rte_mbuf *
mn_msg_build(struct rte_mempool *mp, const struct mn_iov *iov, int iovcnt,
	     uint32_t msg_len, uint32_t mss, bool sum)
{
	struct iov_cursor cur = { .iov = iov, .left = iovcnt, .off = 0 };
	struct rte_mbuf *segs[MSG_BULK];
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t nb, done, left = msg_len, len;
	unsigned int i, n;

	if (mp == NULL || !pool_fits(mp, mss) ||
	    !iov_holds(iov, iovcnt, msg_len) ||
	    msg_len > (uint64_t)UINT16_MAX * mss) {
		rte_errno = EINVAL;
		return NULL;
	}
	nb = mn_msg_nb_segs(msg_len, mss);
	for (done = 0; done < nb; done += n) {
		n = RTE_MIN(nb - done, (uint32_t)MSG_BULK);
		if (seg_get_bulk(mp, segs, n) < 0) {
			mn_msg_free_nocache(head);
			rte_errno = ENOBUFS;
			return NULL;
		}
		for (i = 0; i < n; i++) {
			len = RTE_MIN(left, mss);
			seg_fill(segs[i], &cur, len, sum);
			left -= len;
			if (head == NULL)
				head = segs[i];
			else
				tail->next = segs[i];
			tail = segs[i];
		}
	}
	head->nb_segs = (uint16_t)nb;
	head->pkt_len = msg_len;
	mn_msg_meta(head)->msg_len = msg_len;
	return head;
}

size_t
mn_msg_copy_out(const struct rte_mbuf *m, const struct mn_iov *iov,
		int iovcnt)
{
	struct iov_cursor cur = { .iov = iov, .left = iovcnt, .off = 0 };
	const uint8_t *src;
	uint8_t *dst;
	size_t copied = 0, n;
	uint32_t left;

	for (; m != NULL; m = m->next) {
		src = rte_pktmbuf_mtod(m, const uint8_t *);
		left = m->data_len;
		while (left > 0 && (n = cursor_next(&cur, left, &dst)) > 0) {
			memcpy(dst, src, n);
			src += n;
			left -= (uint32_t)n;
			copied += n;
		}
		if (left > 0)
			break;
	}
	return copied;
}

/* mbufs on their way back to their pool, one bulk at a time. */
struct free_batch {
	struct rte_mbuf *m[MSG_BULK];
	unsigned int n;
};

static void
batch_flush(struct free_batch *b)
{
	if (b->n > 0)
		rte_mempool_generic_put(b->m[0]->pool, (void **)b->m, b->n,
					NULL);
	b->n = 0;
}

static void
batch_add(struct free_batch *b, struct rte_mbuf *m)
{
	if (b->n == MSG_BULK || (b->n > 0 && b->m[0]->pool != m->pool))
		batch_flush(b);
	b->m[b->n++] = m;
}

/*
 * rte_pktmbuf_prefree_seg() gives the direct mbuf behind a clone back with
 * rte_mbuf_raw_free(), that is through the lcore cache. Holding one more
 * reference on it across the call stops that; whoever then drops the last
 * reference here frees it to the batch instead.
 */
static void
seg_release(struct free_batch *b, struct rte_mbuf *m)
{
	struct rte_mbuf *md = NULL;

	if (RTE_MBUF_CLONED(m)) {
		md = rte_mbuf_from_indirect(m);
		rte_mbuf_refcnt_update(md, 1);
	}
	m = rte_pktmbuf_prefree_seg(m);
	if (m != NULL)
		batch_add(b, m);
	if (md != NULL && rte_mbuf_refcnt_update(md, -1) == 0) {
		md->next = NULL;
		md->nb_segs = 1;
		rte_mbuf_refcnt_set(md, 1);
		batch_add(b, md);
	}
}

void
mn_msg_free_nocache(struct rte_mbuf *m)
{
	struct free_batch b = { .n = 0 };
	struct rte_mbuf *next;

	for (; m != NULL; m = next) {
		next = m->next;
		seg_release(&b, m);
	}
	batch_flush(&b);
}
