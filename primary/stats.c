/*
 * stats.c: the writes that start, refresh and end a published record, and
 * the reads that copy one out (stats.h says why the scheme is safe without
 * a lock). Everything here runs at a flow's start and end, once per timer
 * tick, or in a reader: the per-packet counting is inline in stats.h.
 */
#include <string.h>

#include <rte_pause.h>

#include "stats.h"

/* The counters are read and zeroed word by word. */
_Static_assert(sizeof(struct mn_flow_counts) % sizeof(uint64_t) == 0 &&
	       sizeof(struct mn_channel_counts) % sizeof(uint64_t) == 0,
	       "counters are whole 64-bit words");

static void
words_zero(uint64_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		__atomic_store_n(&w[i], 0, __ATOMIC_RELAXED);
}

static void
words_copy(uint64_t *dst, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

#define COUNT_WORDS(c) (sizeof(c) / sizeof(uint64_t))

/* Called inside a write: the figures that move. */
static void
desc_fill(struct mn_flow_desc *d, const struct mn_flow *f)
{
	d->channel = f->channel;
	d->state = f->state;
	d->mss = f->mss;
	d->cwnd = f->cc.cwnd;
	d->srtt = f->rto.srtt;
	d->rto = f->rto.rto;
}

void
mn_flow_stats_open(struct mn_flow_stats *s, const struct mn_flow *f,
		   uint64_t now)
{
	rte_seqcount_write_begin(&s->seq);
	s->desc.serial = f->serial;
	s->desc.key = f->key;
	s->desc.started_at = now;
	desc_fill(&s->desc, f);
	words_zero((uint64_t *)&s->counts, COUNT_WORDS(s->counts));
	rte_seqcount_write_end(&s->seq);
}

void
mn_flow_stats_refresh(struct mn_flow_stats *s, const struct mn_flow *f)
{
	rte_seqcount_write_begin(&s->seq);
	desc_fill(&s->desc, f);
	rte_seqcount_write_end(&s->seq);
}

void
mn_flow_stats_close(struct mn_flow_stats *s)
{
	rte_seqcount_write_begin(&s->seq);
	s->desc.serial = 0;
	rte_seqcount_write_end(&s->seq);
}

void
mn_channel_stats_reset(struct mn_channel_stats *s, uint32_t generation)
{
	rte_seqcount_write_begin(&s->seq);
	s->generation = generation;
	words_zero((uint64_t *)&s->counts, COUNT_WORDS(s->counts));
	rte_seqcount_write_end(&s->seq);
}

bool
mn_flow_stats_read(const struct mn_flow_stats *s, struct mn_flow_view *v)
{
	uint32_t sn;

	for (;;) {
		sn = rte_seqcount_read_begin(&s->seq);
		v->desc = s->desc;
		words_copy((uint64_t *)&v->counts, (const uint64_t *)&s->counts,
			   COUNT_WORDS(v->counts));
		if (!rte_seqcount_read_retry(&s->seq, sn))
			return v->desc.serial != 0;
		rte_pause();
	}
}

bool
mn_channel_stats_read(const struct mn_channel_stats *s, uint32_t generation,
		      struct mn_channel_counts *c)
{
	uint32_t sn, gen;

	for (;;) {
		sn = rte_seqcount_read_begin(&s->seq);
		gen = s->generation;
		words_copy((uint64_t *)c, (const uint64_t *)&s->counts,
			   COUNT_WORDS(*c));
		if (!rte_seqcount_read_retry(&s->seq, sn))
			break;
		rte_pause();
	}
	if (gen == generation)
		return true;
	memset(c, 0, sizeof(*c));
	return false;
}
