/*
 * test_stats.c: the records the engine publishes for telemetry
 * (primary/stats.h): what a reader gets back of a flow's start, its
 * figures and its end, and of a channel's attach; and that a reader on
 * another thread, racing a writer that keeps restarting, counting and
 * refreshing one record, only ever sees the record as one write left it.
 * The same for the ARP and listener tables that telemetry copies out under
 * their sequence counts (arp.h, listen.h): what a copy shows of each kind
 * of entry, that a lookup which changes nothing writes no count, and that
 * a copy racing learning and ageing never shows an entry torn or twice.
 * What the engine writes into them, packet by packet, is tested end to
 * end in test_transport.c.
 */
#include <pthread.h>
#include <string.h>

#include <rte_pause.h>

#include "arp.h"
#include "listen.h"
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

/* The MAC an ARP test gives ip, so that a copy mixing two entries shows. */
static struct rte_ether_addr
mac_of(uint32_t ip)
{
	return (struct rte_ether_addr){ { 0x02, 0, (uint8_t)(ip >> 24),
					  (uint8_t)(ip >> 16), (uint8_t)(ip >> 8),
					  (uint8_t)ip } };
}

static const struct mn_arp_entry *
arp_entry_of(const struct mn_arp_entry *a, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < MN_ARP_TABLE_SIZE; i++)
		if (a[i].state != MN_ARP_ENTRY_FREE && a[i].ip == ip)
			return &a[i];
	return NULL;
}

#define ARP_RETRY_NS 100
#define ARP_AGEING_NS 1000

START_TEST(an_arp_copy_shows_each_kind_of_entry)
{
	struct mn_arp_table *t = malloc(sizeof(*t));
	struct mn_arp_entry *a = malloc(MN_ARP_TABLE_SIZE * sizeof(*a));
	struct rte_ether_addr mac = mac_of(1), got;
	const struct mn_arp_entry *e;
	bool send;

	mn_arp_init(t, ARP_RETRY_NS, 3, ARP_AGEING_NS);
	ck_assert_int_eq(mn_arp_add_static(t, 1, &mac), 0);
	mac = mac_of(2);
	ck_assert_int_eq(mn_arp_learn(t, 2, &mac, 50), 0);
	ck_assert_int_eq(mn_arp_resolve(t, 3, 60, &got, &send), MN_ARP_PENDING);
	ck_assert(send);
	ck_assert_int_eq(mn_arp_snapshot(t, a), 0);
	e = arp_entry_of(a, 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->state, MN_ARP_ENTRY_STATIC);
	mac = mac_of(1);
	ck_assert(rte_is_same_ether_addr(&e->mac, &mac));
	e = arp_entry_of(a, 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->state, MN_ARP_ENTRY_RESOLVED);
	ck_assert_uint_eq(e->stamp, 50);
	ck_assert(!mn_arp_expired(t, e, 50 + ARP_AGEING_NS));
	ck_assert(mn_arp_expired(t, e, 51 + ARP_AGEING_NS));
	e = arp_entry_of(a, 3);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->state, MN_ARP_ENTRY_PENDING);
	ck_assert_uint_eq(e->tries, 1);
	ck_assert_ptr_null(arp_entry_of(a, 4));
	/* Ageing takes the learnt and the pending entries, not the static. */
	mn_arp_age(t, 100 + 2 * ARP_AGEING_NS);
	ck_assert_int_eq(mn_arp_snapshot(t, a), 0);
	ck_assert_ptr_nonnull(arp_entry_of(a, 1));
	ck_assert_ptr_null(arp_entry_of(a, 2));
	ck_assert_ptr_null(arp_entry_of(a, 3));
	free(a);
	free(t);
}
END_TEST

/* The engine resolves a known neighbour for every flow it starts: that
 * costs readers no retry and the engine no store to the count. */
START_TEST(resolving_a_known_neighbour_writes_no_count)
{
	struct mn_arp_table *t = malloc(sizeof(*t));
	struct rte_ether_addr mac = mac_of(9), got;
	uint32_t sn;
	bool send;

	mn_arp_init(t, ARP_RETRY_NS, 3, ARP_AGEING_NS);
	ck_assert_int_eq(mn_arp_learn(t, 9, &mac, 10), 0);
	sn = t->seq.sn;
	ck_assert_uint_eq(sn % 2, 0);
	ck_assert_int_eq(mn_arp_resolve(t, 9, 20, &got, &send), MN_ARP_RESOLVED);
	ck_assert(rte_is_same_ether_addr(&got, &mac));
	ck_assert_uint_eq(t->seq.sn, sn);
	/* A change writes it, and leaves it even. */
	ck_assert_int_eq(mn_arp_resolve(t, 10, 20, &got, &send), MN_ARP_PENDING);
	ck_assert_uint_eq(t->seq.sn, sn + 2);
	free(t);
}
END_TEST

START_TEST(a_listener_copy_follows_adds_removals_and_handshakes)
{
	struct mn_listener l[MN_MAX_LISTENERS];
	struct mn_listen_table t;
	unsigned int i, live = 0;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(mn_listen_add(&t, 31580, 2, 7), 0);
	ck_assert_int_eq(mn_listen_add(&t, 8000, 3, 1), 0);
	ck_assert_int_eq(mn_listen_add(&t, 8000, 4, 1), EADDRINUSE);
	mn_listen_find(&t, 31580)->half_open += 2;
	mn_listen_snapshot(&t, l);
	for (i = 0; i < MN_MAX_LISTENERS; i++) {
		if (l[i].port == 0)
			continue;
		live++;
		if (l[i].port == 31580) {
			ck_assert_uint_eq(l[i].channel, 2);
			ck_assert_uint_eq(l[i].channel_gen, 7);
			ck_assert_uint_eq(l[i].half_open, 2);
		} else {
			ck_assert_uint_eq(l[i].port, 8000);
			ck_assert_uint_eq(l[i].channel, 3);
			ck_assert_uint_eq(l[i].half_open, 0);
		}
	}
	ck_assert_uint_eq(live, 2);
	mn_listen_remove_channel(&t, 2);
	mn_listen_snapshot(&t, l);
	for (i = 0, live = 0; i < MN_MAX_LISTENERS; i++)
		live += l[i].port != 0;
	ck_assert_uint_eq(live, 1);
	ck_assert_uint_eq(t.seq.sn % 2, 0);
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

/*
 * The ARP race: the writer learns addresses 1..RUN in turn, with the step
 * as their clock, and ages out those learnt more than RUN/2 steps ago. The
 * table stays so full that its probe runs are long and each removal
 * shifts entries back through one. A copy as some step left the table
 * holds a window of the addresses (cyclic), each once, with its own MAC;
 * one taken without the count would show an entry torn, doubled or gone.
 */
#define ARP_RACE_RUN 1600
#define ARP_RACE_PAUSES 64
#define ARP_RACE_STEPS (20 * ARP_RACE_RUN)
#define ARP_RACE_COPIES 2000

struct arp_race {
	struct mn_arp_table *t;
	volatile uint64_t steps;
	volatile bool done;
};

static void *
arp_race_writer(void *arg)
{
	struct arp_race *r = arg;
	struct rte_ether_addr mac;
	uint64_t now;
	uint32_t ip, i;

	for (now = 1; !r->done; now++) {
		ip = (uint32_t)((now - 1) % ARP_RACE_RUN + 1);
		mac = mac_of(ip);
		(void)mn_arp_learn(r->t, ip, &mac, now * ARP_RETRY_NS);
		mn_arp_age(r->t, now * ARP_RETRY_NS);
		r->steps = now;
		for (i = 0; i < ARP_RACE_PAUSES; i++)
			rte_pause();
	}
	return NULL;
}

/* Whether copy a holds a window of the addresses, each once and whole. */
static bool
arp_copy_is_whole(const struct mn_arp_entry *a)
{
	static bool seen[ARP_RACE_RUN + 1];
	struct rte_ether_addr mac;
	uint32_t i, ip, n = 0, starts = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < MN_ARP_TABLE_SIZE; i++) {
		if (a[i].state == MN_ARP_ENTRY_FREE)
			continue;
		mac = mac_of(a[i].ip);
		if (a[i].state != MN_ARP_ENTRY_RESOLVED ||
		    !rte_is_same_ether_addr(&a[i].mac, &mac) || a[i].ip == 0 ||
		    a[i].ip > ARP_RACE_RUN || seen[a[i].ip])
			return false;
		seen[a[i].ip] = true;
		n++;
	}
	for (ip = 1; ip <= ARP_RACE_RUN; ip++)
		starts += seen[ip] && !seen[ip == 1 ? ARP_RACE_RUN : ip - 1];
	/* Between a step's learning and its ageing the window is one longer. */
	return n == 0 || (starts == 1 && n <= ARP_RACE_RUN / 2 + 2);
}

START_TEST(an_arp_copy_racing_the_engine_sees_no_torn_or_doubled_entry)
{
	struct arp_race r = { .t = malloc(sizeof(*r.t)) };
	struct mn_arp_entry *a = malloc(MN_ARP_TABLE_SIZE * sizeof(*a));
	uint32_t copies = 0, bad = 0;
	pthread_t writer;

	mn_arp_init(r.t, ARP_RETRY_NS, 3, ARP_RACE_RUN / 2 * ARP_RETRY_NS);
	ck_assert_int_eq(pthread_create(&writer, NULL, arp_race_writer, &r), 0);
	while (copies < ARP_RACE_COPIES || r.steps < ARP_RACE_STEPS) {
		if (mn_arp_snapshot(r.t, a) != 0)
			continue;
		copies++;
		bad += !arp_copy_is_whole(a);
	}
	r.done = true;
	ck_assert_int_eq(pthread_join(writer, NULL), 0);
	ck_assert_uint_eq(bad, 0);
	free(a);
	free(r.t);
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
	tcase_add_test(tc, an_arp_copy_shows_each_kind_of_entry);
	tcase_add_test(tc, resolving_a_known_neighbour_writes_no_count);
	tcase_add_test(tc, a_listener_copy_follows_adds_removals_and_handshakes);
	suite_add_tcase(s, tc);
	tc = tcase_create("race");
	/* A loaded machine may schedule the two threads far apart. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_reader_racing_the_engine_sees_no_torn_record);
	tcase_add_test(tc, an_arp_copy_racing_the_engine_sees_no_torn_or_doubled_entry);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(stats_suite)
