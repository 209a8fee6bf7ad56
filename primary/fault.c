/*
 * fault.c: drops, duplicates, reorders and delays packets on purpose, so
 * that loss recovery can be tested on kernels without netem. Decisions come
 * from a seeded generator of its own (not rte_rand, which other code also
 * draws from), so one seed gives the same faults for the same traffic.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "clock.h"
#include "fault.h"

enum fault_kind {
	FAULT_DROP,
	FAULT_DUPLICATE,
	FAULT_REORDER,
	FAULT_DELAY,
	FAULT_KINDS,
};

static const char *const fault_names[FAULT_KINDS] = {
	[FAULT_DROP] = "drop",
	[FAULT_DUPLICATE] = "duplicate",
	[FAULT_REORDER] = "reorder",
	[FAULT_DELAY] = "delay",
};

/* Where mn_fault_apply() writes: slots below limit are free to take. */
struct fault_out {
	struct rte_mbuf **pkts;
	uint16_t w;
	uint16_t limit;
};

/* A line being built by snprintf; once full, further text is dropped. */
struct fault_line {
	char *buf;
	size_t len;
	size_t used;
};

static void
fault_probs(const struct mn_config *cfg, bool tx, double p[FAULT_KINDS])
{
	p[FAULT_DROP] = tx ? cfg->fault_tx_drop : cfg->fault_rx_drop;
	p[FAULT_DUPLICATE] = tx ? cfg->fault_tx_duplicate :
		cfg->fault_rx_duplicate;
	p[FAULT_REORDER] = tx ? cfg->fault_tx_reorder : cfg->fault_rx_reorder;
	p[FAULT_DELAY] = tx ? cfg->fault_tx_delay : cfg->fault_rx_delay;
}

static bool
any_above_zero(const double p[FAULT_KINDS])
{
	unsigned int i;

	for (i = 0; i < FAULT_KINDS; i++)
		if (p[i] > 0)
			return true;
	return false;
}

/* splitmix64: tiny, fast, and every seed (0 too) gives a good stream. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* No draw when p is 0, so an unused fault does not shift the others. */
static bool
chance(struct mn_fault_dir *d, double p)
{
	return p > 0 && (double)(next_random(&d->rng) >> 11) * 0x1.0p-53 < p;
}

bool
mn_fault_configured(const struct mn_config *cfg)
{
	double rx[FAULT_KINDS], tx[FAULT_KINDS];

	fault_probs(cfg, false, rx);
	fault_probs(cfg, true, tx);
	return any_above_zero(rx) || any_above_zero(tx);
}

static void
dir_init(struct mn_fault_dir *d, const struct mn_config *cfg, bool tx,
	 uint64_t rng)
{
	double p[FAULT_KINDS];

	fault_probs(cfg, tx, p);
	memset(d, 0, sizeof(*d));
	d->on = any_above_zero(p);
	d->drop = p[FAULT_DROP];
	d->duplicate = p[FAULT_DUPLICATE];
	d->reorder = p[FAULT_REORDER];
	d->delay = p[FAULT_DELAY];
	d->delay_ns = (uint64_t)cfg->fault_delay_us * MN_NS_PER_US;
	d->rng = rng;
}

void
mn_fault_init(struct mn_fault *f, const struct mn_config *cfg)
{
	uint64_t seed = cfg->fault_seed;

	/* Two outputs of one generator: unrelated starting points. */
	dir_init(&f->rx, cfg, false, next_random(&seed));
	dir_init(&f->tx, cfg, true, next_random(&seed));
	f->enabled = f->rx.on || f->tx.on;
}

static bool
queue_push(struct mn_fault_queue *q, struct rte_mbuf *m, uint64_t due_ns)
{
	struct mn_fault_held *h;

	if (q->count == MN_FAULT_HOLD)
		return false;
	h = &q->slot[(q->head + q->count) % MN_FAULT_HOLD];
	h->m = m;
	h->due_ns = due_ns;
	q->count++;
	return true;
}

static struct rte_mbuf *
queue_pop(struct mn_fault_queue *q)
{
	struct rte_mbuf *m = q->slot[q->head].m;

	q->head = (q->head + 1) % MN_FAULT_HOLD;
	q->count--;
	return m;
}

static bool
queue_due(const struct mn_fault_queue *q, uint64_t now_ns)
{
	return q->count > 0 && q->slot[q->head].due_ns <= now_ns;
}

static void
queue_free(struct mn_fault_queue *q)
{
	while (q->count > 0)
		rte_pktmbuf_free(queue_pop(q));
}

void
mn_fault_free(struct mn_fault *f)
{
	queue_free(&f->rx.delayed);
	queue_free(&f->rx.reordered);
	queue_free(&f->tx.delayed);
	queue_free(&f->tx.reordered);
}

static bool
out_room(const struct fault_out *o)
{
	return o->w < o->limit;
}

static void
out_put(struct fault_out *o, struct rte_mbuf *m)
{
	o->pkts[o->w++] = m;
}

/*
 * The copy comes from the engine's pool; the private area is not copied
 * because on the wire side of the engine it carries nothing.
 */
static void
out_put_copy(struct fault_out *o, const struct rte_mbuf *m,
	     struct rte_mempool *pool)
{
	struct rte_mbuf *c;

	if (!out_room(o))
		return;
	c = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
	if (c != NULL)
		out_put(o, c);
}

/* Reordered packets whose due time is at most until, behind what passed. */
static void
release_reordered(struct mn_fault_dir *d, struct fault_out *o, uint64_t until)
{
	while (queue_due(&d->reordered, until) && out_room(o))
		out_put(o, queue_pop(&d->reordered));
}

/* A delayed packet that comes out passes like a new one. */
static void
release_due(struct mn_fault_dir *d, struct fault_out *o, uint64_t now_ns)
{
	while (queue_due(&d->delayed, now_ns) && out_room(o)) {
		out_put(o, queue_pop(&d->delayed));
		release_reordered(d, o, UINT64_MAX);
	}
	release_reordered(d, o, now_ns);
}

/* A full queue lets the packet pass: faults must never exhaust the pool. */
static bool
hold(struct mn_fault_dir *d, struct rte_mbuf *m, uint64_t now_ns)
{
	uint64_t due = now_ns + d->delay_ns;

	if (chance(d, d->delay) && queue_push(&d->delayed, m, due))
		return true;
	return chance(d, d->reorder) && queue_push(&d->reordered, m, due);
}

/*
 * The original goes first: its slot is always free, a copy's is not. The
 * copy of a held packet passes now, so the two arrive apart.
 */
static void
fault_one(struct mn_fault_dir *d, struct fault_out *o, struct rte_mbuf *m,
	  uint64_t now_ns, struct rte_mempool *pool)
{
	bool dup;

	if (chance(d, d->drop)) {
		rte_pktmbuf_free(m);
		return;
	}
	dup = chance(d, d->duplicate);
	if (hold(d, m, now_ns)) {
		if (dup)
			out_put_copy(o, m, pool);
		return;
	}
	out_put(o, m);
	if (dup)
		out_put_copy(o, m, pool);
	release_reordered(d, o, UINT64_MAX);
}

/*
 * The input is first moved to the end of pkts and read from there, so the
 * output, written from the start, can grow past n (duplicates, released
 * packets) without overwriting a packet not yet read.
 */
uint16_t
mn_fault_apply(struct mn_fault_dir *d, struct rte_mbuf **pkts, uint16_t n,
	       uint16_t cap, uint64_t now_ns, struct rte_mempool *pool)
{
	struct fault_out o = { .pkts = pkts };
	uint16_t first, i;

	if (!d->on)
		return n;
	cap = RTE_MAX(cap, n);
	first = cap - n;
	memmove(pkts + first, pkts, n * sizeof(*pkts));
	for (i = 0; i < n; i++) {
		o.limit = first + i + 1;
		fault_one(d, &o, pkts[first + i], now_ns, pool);
	}
	o.limit = cap;
	release_due(d, &o, now_ns);
	return o.w;
}

static void __rte_format_printf(2, 3)
line_add(struct fault_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->used >= l->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n;
}

static void
describe_dir(struct fault_line *l, const char *name, const double p[FAULT_KINDS])
{
	unsigned int i;

	line_add(l, "%s", name);
	if (!any_above_zero(p)) {
		line_add(l, " off");
		return;
	}
	for (i = 0; i < FAULT_KINDS; i++)
		if (p[i] > 0)
			line_add(l, " %s %g", fault_names[i], p[i]);
}

void
mn_fault_describe(const struct mn_config *cfg, char *buf, size_t len)
{
	struct fault_line l = { .buf = buf, .len = len };
	double rx[FAULT_KINDS], tx[FAULT_KINDS];

	fault_probs(cfg, false, rx);
	fault_probs(cfg, true, tx);
	describe_dir(&l, "rx", rx);
	describe_dir(&l, ", tx", tx);
	/* delay_us also bounds how long a reordered packet waits. */
	if (rx[FAULT_DELAY] > 0 || rx[FAULT_REORDER] > 0 ||
	    tx[FAULT_DELAY] > 0 || tx[FAULT_REORDER] > 0)
		line_add(&l, ", delay_us %u", cfg->fault_delay_us);
	line_add(&l, ", seed %u", cfg->fault_seed);
}
