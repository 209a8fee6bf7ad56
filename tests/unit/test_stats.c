/*
 * test_stats.c: the records the engine publishes for telemetry
 * (primary/stats.h): what a reader gets back of a flow's start, its
 * figures and its end, and of a channel's attach; and that a reader on
 * another thread, racing a writer that keeps restarting, counting and
 * refreshing one record, only ever sees the record as one write left it.
 * What the engine writes into them, packet by packet, is tested end to
 * end in test_transport.c.
 */
#include <pthread.h>
#include <string.h>

#include <rte_pause.h>

#include "mn_state.h"
#include "stats.h"
#include "unit.h"

#define STATES (MN_FLOW_FIN_SENT - MN_FLOW_ARP_WAIT + 1)

/*
 * Flow n as its k-th refresh shows it: every figure derives from n and k,
 * so that a copy mixing two writes shows.
 */
static void
flow_of(struct mn_flow *f, uint32_t n, uint32_t k)
{
	memset(f, 0, sizeof(*f));
	f->serial = n;
	f->key = (struct mn_flow_key){ .local_ip = n, .remote_ip = ~n,
				       .local_port = (uint16_t)n,
				       .remote_port = (uint16_t)~n };
	f->state = (uint8_t)(MN_FLOW_ARP_WAIT + (n + k) % STATES);
	f->channel = (uint16_t)((n + k) % MN_MAX_CHANNELS);
	f->mss = n + k;
	f->cc.cwnd = (double)(n + k);
	f->rto.srtt = (uint64_t)n + k;
	f->rto.rto = 2 * ((uint64_t)n + k);
}

/* Whether v is flow n at some refresh k <= max_k, with counts of n's own. */
static bool
view_is_whole(const struct mn_flow_view *v, uint32_t max_k)
{
	const struct mn_flow_desc *d = &v->desc;
	uint32_t n = d->serial, k = d->mss - n;
	uint64_t nk = (uint64_t)n + k;

	return d->key.local_ip == n && d->key.remote_ip == ~n &&
	       d->key.local_port == (uint16_t)n &&
	       d->key.remote_port == (uint16_t)~n && d->started_at == n &&
	       k <= max_k && d->state == MN_FLOW_ARP_WAIT + nk % STATES &&
	       d->channel == nk % MN_MAX_CHANNELS && d->cwnd == (double)nk &&
	       d->srtt == nk && d->rto == 2 * nk &&
	       v->counts.tx_msgs <= max_k && v->counts.tx_bytes % n == 0 &&
	       v->counts.tx_bytes <= (uint64_t)max_k * n;
}

START_TEST(a_started_flow_reads_back_whole)
{
	struct mn_flow_stats *s = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*s));
	struct mn_flow_view v;
	struct mn_flow f;

	memset(s, 0, sizeof(*s));
	ck_assert(!mn_flow_stats_read(s, &v));
	flow_of(&f, 7, 0);
	mn_flow_stats_open(s, &f, 7);
	mn_stats_add(&s->counts.tx_msgs, 2);
	mn_stats_add(&s->counts.tx_bytes, 14);
	mn_stats_add(&s->counts.rx_bytes, 99);
	flow_of(&f, 7, 3);
	mn_flow_stats_refresh(s, &f);
	ck_assert(mn_flow_stats_read(s, &v));
	ck_assert(view_is_whole(&v, 3));
	ck_assert_uint_eq(v.desc.mss, 10);
	ck_assert_uint_eq(v.counts.tx_msgs, 2);
	ck_assert_uint_eq(v.counts.tx_bytes, 14);
	ck_assert_uint_eq(v.counts.rx_bytes, 99);
	ck_assert_uint_eq(v.counts.rx_msgs, 0);
	free(s);
}
END_TEST

START_TEST(an_ended_flow_is_gone_and_the_next_counts_from_zero)
{
	struct mn_flow_stats *s = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*s));
	struct mn_flow_view v;
	struct mn_flow f;

	memset(s, 0, sizeof(*s));
	flow_of(&f, 5, 0);
	mn_flow_stats_open(s, &f, 5);
	mn_stats_add(&s->counts.retransmits, 4);
	mn_flow_stats_close(s);
	ck_assert(!mn_flow_stats_read(s, &v));
	flow_of(&f, 6, 0);
	mn_flow_stats_open(s, &f, 6);
	ck_assert(mn_flow_stats_read(s, &v));
	ck_assert_uint_eq(v.desc.serial, 6);
	ck_assert_uint_eq(v.counts.retransmits, 0);
	free(s);
}
END_TEST

START_TEST(channel_counts_are_those_of_its_attach)
{
	struct mn_channel_stats s;
	struct mn_channel_counts c;

	memset(&s, 0, sizeof(s));
	mn_channel_stats_reset(&s, 3);
	mn_stats_add(&s.counts.rx_msgs, 2);
	mn_stats_set(&s.counts.rx_held, 9);
	ck_assert(mn_channel_stats_read(&s, 3, &c));
	ck_assert_uint_eq(c.rx_msgs, 2);
	ck_assert_uint_eq(c.rx_held, 9);
	/* The channel table already shows the next tenant: the engine has
	 * not reset the counts for it yet, so they are not its own. */
	ck_assert(!mn_channel_stats_read(&s, 4, &c));
	ck_assert_uint_eq(c.rx_msgs, 0);
	ck_assert_uint_eq(c.rx_held, 0);
	mn_channel_stats_reset(&s, 4);
	ck_assert(mn_channel_stats_read(&s, 4, &c));
	ck_assert_uint_eq(c.rx_msgs, 0);
}
END_TEST

/* The race below: the writer plays the engine until the reader has seen
 * enough of its flows. */
#define RACE_REFRESHES 4
#define RACE_PAUSES 32
#define RACE_READS 100000
#define RACE_FLOWS_SEEN 500

struct race {
	struct mn_flow_stats *s;
	volatile bool done;
};

static void *
race_writer(void *arg)
{
	struct race *r = arg;
	struct mn_flow f;
	uint32_t n, k, i;

	for (n = 1; !r->done; n++) {
		flow_of(&f, n, 0);
		mn_flow_stats_open(r->s, &f, n);
		for (k = 1; k <= RACE_REFRESHES; k++) {
			mn_stats_add(&r->s->counts.tx_bytes, n);
			mn_stats_add(&r->s->counts.tx_msgs, 1);
			flow_of(&f, n, k);
			mn_flow_stats_refresh(r->s, &f);
			/* As the engine, between writes it does other work: a
			 * writer that did nothing but write would leave a
			 * reader no moment to copy the record in. */
			for (i = 0; i < RACE_PAUSES; i++)
				rte_pause();
		}
		mn_flow_stats_close(r->s);
	}
	return NULL;
}

START_TEST(a_reader_racing_the_engine_sees_no_torn_record)
{
	struct race r = { .s = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*r.s)) };
	uint32_t reads = 0, torn = 0, flows_seen = 0, last = 0;
	uint64_t last_msgs = 0;
	struct mn_flow_view v;
	pthread_t writer;

	memset(r.s, 0, sizeof(*r.s));
	ck_assert_int_eq(pthread_create(&writer, NULL, race_writer, &r), 0);
	while (reads < RACE_READS || flows_seen < RACE_FLOWS_SEEN) {
		reads++;
		if (!mn_flow_stats_read(r.s, &v))
			continue;
		torn += !view_is_whole(&v, RACE_REFRESHES);
		/* Within one flow its counts only grow. */
		if (v.desc.serial == last)
			torn += v.counts.tx_msgs < last_msgs;
		else
			flows_seen++;
		last = v.desc.serial;
		last_msgs = v.counts.tx_msgs;
	}
	r.done = true;
	ck_assert_int_eq(pthread_join(writer, NULL), 0);
	ck_assert_uint_eq(torn, 0);
	free(r.s);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, a_started_flow_reads_back_whole);
	tcase_add_test(tc, an_ended_flow_is_gone_and_the_next_counts_from_zero);
	tcase_add_test(tc, channel_counts_are_those_of_its_attach);
	suite_add_tcase(s, tc);
	tc = tcase_create("race");
	/* A loaded machine may schedule the two threads far apart. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_reader_racing_the_engine_sees_no_torn_record);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(stats_suite)
