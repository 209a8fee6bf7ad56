/*
 * stress: a sender and a receiver that prove machnet's delivery contract
 * under loss, reordering, a stalled receiver, dead peers and incast: every
 * message sent arrives exactly once, in order per flow, intact, or the
 * sender learns that the flow ended.
 *
 * Every message is a pure function of (seed, sender id, flow, seq): its
 * size (log-uniform between --min-size and --max-size, skewed towards small
 * sizes by --skew, every --big-every-th one 8 MiB) and its bytes. A flow
 * starts with a HELLO carrying those parameters, so the receiver knows the
 * exact size each next message must have. Messages of at least 24 bytes
 * start with their seq, length and a checksum of the rest; shorter ones are
 * compared byte by byte. A flow ends with END (its message count), which the
 * receiver answers with DONE once everything checked out.
 *
 *   stress recv --local IP --flows N [--port P] [--pause-after N
 *               --pause-ms MS] [--idle sleep|yield] [--timeout S]
 *       exits 0 once N flows delivered everything and their senders
 *       closed them (or 2 s after the last DONE: close notification is
 *       not what it checks); prints per-flow throughput and Jain's index.
 *   stress send --local IP --remote IP [--port P] [--flows F]
 *               (--count N | --duration S) [--id I] [--seed S]
 *               [--min-size B] [--max-size B] [--skew K] [--big-every N]
 *               [--expect-reset] [--idle sleep|yield] [--timeout S]
 *       sends N messages in all (or for S seconds) round robin on F flows;
 *       exits 0 when every flow got its DONE. With --expect-reset it sends
 *       until every flow ended, checks that machnet_send on an ended flow
 *       fails with ECONNRESET, and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ex_flow.h"
#include "example.h"
#include "machnet.h"

#define ST_PORT 31600
#define ST_MAX_FLOWS 64
#define ST_HDR_LEN 24
#define ST_BIG_LEN MACHNET_MSG_MAX_LEN
#define ST_MAGIC_DATA 0x53544441u  /* "STDA" */
#define ST_MAGIC_HELLO 0x5354484cu /* "STHL" */
#define ST_MAGIC_END 0x5354454eu   /* "STEN" */
#define ST_MAGIC_DONE 0x5354444fu  /* "STDO" */
#define ST_RXBUF_LEN 64
#define ST_IDLE_POLLS 64
#define ST_CLOSE_GRACE_NS 2000000000ull
#define ST_NAP_NS 20000

enum st_idle { ST_IDLE_SLEEP, ST_IDLE_YIELD };
enum st_kind { ST_K_NONE, ST_K_HELLO, ST_K_DATA, ST_K_END };

/* What both ends must agree on to know every message of a flow. */
struct st_params {
	uint64_t seed;
	uint32_t sender_id;
	uint32_t flow_idx;
	uint32_t min_size;
	uint32_t max_size;
	uint32_t big_every; /* 0: no 8 MiB messages */
	uint32_t pad;
	double skew;
};

struct st_hello {
	uint32_t magic;
	uint32_t pad;
	struct st_params p;
};

/* The head of DATA (of at least ST_HDR_LEN bytes), END and DONE. */
struct st_hdr {
	uint32_t magic;
	uint32_t len;   /* DATA: message length; DONE: 1 if all checked */
	uint64_t seq;   /* DATA: seq; END, DONE: messages on the flow */
	uint64_t sum;   /* DATA: checksum of the bytes after the head */
};

struct st_opts {
	bool send;
	const char *local;
	const char *remote;
	uint16_t port;
	uint32_t flows;
	uint64_t count;
	double duration_s;
	struct st_params p;
	bool expect_reset;
	uint64_t pause_after;
	uint64_t pause_ms;
	enum st_idle idle;
	double timeout_s;
};

_Static_assert(sizeof(struct st_hdr) == ST_HDR_LEN, "DATA head size");

static void
st_usage(void)
{
	fprintf(stderr, "usage: stress recv --local IP --flows N [--port P] "
		"[--pause-after N --pause-ms MS] [--idle sleep|yield] "
		"[--timeout S] | stress send --local IP --remote IP [--port P] "
		"[--flows F] (--count N | --duration S) [--id I] [--seed S] "
		"[--min-size B] [--max-size B] [--skew K] [--big-every N] "
		"[--expect-reset] [--idle sleep|yield] [--timeout S]\n");
	exit(2);
}

static void
st_die(const char *what)
{
	fprintf(stderr, "stress: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Called after every poll; backs off only after ST_IDLE_POLLS empty ones. */
static void
st_idle(enum st_idle mode, bool progress, unsigned int *empty)
{
	static const struct timespec nap = { 0, ST_NAP_NS };

	if (progress || ++*empty < ST_IDLE_POLLS) {
		if (progress)
			*empty = 0;
		return;
	}
	*empty = 0;
	if (mode == ST_IDLE_YIELD)
		sched_yield();
	else
		nanosleep(&nap, NULL);
}

static uint64_t
st_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
st_msg_key(const struct st_params *p, uint64_t seq)
{
	uint64_t flow = ((uint64_t)p->sender_id << 32) | p->flow_idx;

	return st_mix(st_mix(p->seed ^ st_mix(flow)) ^ seq);
}

static uint32_t
st_msg_len(const struct st_params *p, uint64_t seq)
{
	double u, ratio, len;

	if (p->big_every != 0 && seq % p->big_every == p->big_every - 1)
		return ST_BIG_LEN;
	u = (double)(st_mix(st_msg_key(p, seq) ^ 0x5a5a) >> 11) * 0x1p-53;
	ratio = (double)p->max_size / p->min_size;
	len = p->min_size * pow(ratio, pow(u, p->skew));
	if (len < p->min_size)
		return p->min_size;
	return len > p->max_size ? p->max_size : (uint32_t)len;
}

static void
st_fill(uint8_t *buf, size_t len, uint64_t key)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = st_mix(key + i);
		memcpy(buf + i, &w, 8);
	}
	if (i < len) {
		w = st_mix(key + i);
		memcpy(buf + i, &w, len - i);
	}
}

static uint64_t
st_sum(const uint8_t *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, buf + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	return h ^ len;
}

/* Builds message seq of flow p into buf; returns its length. */
static uint32_t
st_build(uint8_t *buf, const struct st_params *p, uint64_t seq)
{
	uint32_t len = st_msg_len(p, seq);
	uint64_t key = st_msg_key(p, seq);
	struct st_hdr h = { ST_MAGIC_DATA, len, seq, 0 };

	if (len < ST_HDR_LEN) {
		st_fill(buf, len, key);
		return len;
	}
	st_fill(buf + ST_HDR_LEN, len - ST_HDR_LEN, key);
	h.sum = st_sum(buf + ST_HDR_LEN, len - ST_HDR_LEN);
	memcpy(buf, &h, sizeof(h));
	return len;
}

/* NULL when message seq of flow p is what buf holds, else what is wrong. */
static const char *
st_verify(const uint8_t *buf, size_t n, const struct st_params *p,
	  uint64_t seq, uint8_t *scratch)
{
	uint32_t len = st_msg_len(p, seq);
	struct st_hdr h;

	if (n != len)
		return "wrong length";
	if (len < ST_HDR_LEN) {
		st_fill(scratch, len, st_msg_key(p, seq));
		return memcmp(buf, scratch, len) == 0 ? NULL : "wrong bytes";
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != ST_MAGIC_DATA || h.len != len)
		return "bad head";
	if (h.seq != seq)
		return h.seq < seq ? "duplicate or old seq" : "seq skipped ahead";
	if (h.sum != st_sum(buf + ST_HDR_LEN, len - ST_HDR_LEN))
		return "checksum mismatch";
	return NULL;
}

static void *
st_join(void)
{
	void *ch;

	if (machnet_init() != 0)
		st_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		st_die("machnet_attach");
	/* Both sides check how each flow ends, so they ask to be told. */
	if (machnet_set_flow_events(ch, 1) != 0)
		st_die("machnet_set_flow_events");
	return ch;
}

/* ---- receiver ---- */

enum st_rstate { ST_R_ACTIVE, ST_R_DONE, ST_R_CLOSED };

struct st_rflow {
	MachnetFlow_t flow;
	struct st_params p;
	enum st_rstate state;
	uint64_t next_seq;
	uint64_t bytes;
	uint64_t bytes_at_all_started;
	uint64_t bytes_at_first_end;
	uint64_t first_ns;
	uint64_t end_ns;
};

struct st_recv {
	const struct st_opts *o;
	void *ch;
	uint8_t *buf;
	uint8_t *scratch;
	struct st_rflow f[ST_MAX_FLOWS];
	uint32_t nflows;
	uint32_t closed;
	uint64_t messages;
	uint64_t all_started_ns;
	uint64_t first_end_ns;
	uint64_t all_done_ns;
};

static struct st_rflow *
st_rflow_find(struct st_recv *r, const MachnetFlow_t *flow)
{
	uint32_t i;

	for (i = 0; i < r->nflows; i++)
		if (ex_flow_eq(&r->f[i].flow, flow))
			return &r->f[i];
	return NULL;
}

static void
st_rflow_fail(const struct st_rflow *f, uint64_t seq, const char *what)
{
	fprintf(stderr, "stress: FAIL: sender %u flow %u (port %u): message "
		"%" PRIu64 ": %s\n", f->p.sender_id, f->p.flow_idx,
		f->flow.dst_port, seq, what);
	exit(1);
}

static void
st_snapshot(struct st_recv *r, bool first_end)
{
	uint32_t i;

	for (i = 0; i < r->nflows; i++) {
		if (first_end)
			r->f[i].bytes_at_first_end = r->f[i].bytes;
		else
			r->f[i].bytes_at_all_started = r->f[i].bytes;
	}
	if (first_end)
		r->first_end_ns = ex_now_ns();
	else
		r->all_started_ns = ex_now_ns();
}

static void
st_recv_hello(struct st_recv *r, const MachnetFlow_t *flow, ssize_t n)
{
	struct st_hello h;
	struct st_rflow *f;

	memcpy(&h, r->buf, sizeof(h));
	if (n != (ssize_t)sizeof(h) || h.magic != ST_MAGIC_HELLO) {
		fprintf(stderr, "stress: FAIL: a new flow (port %u) did not "
			"start with HELLO (%zd bytes)\n", flow->dst_port, n);
		exit(1);
	}
	if (r->nflows == r->o->flows) {
		fprintf(stderr, "stress: FAIL: more than %u flows\n",
			r->o->flows);
		exit(1);
	}
	f = &r->f[r->nflows++];
	*f = (struct st_rflow){ .flow = *flow, .p = h.p,
				.first_ns = ex_now_ns() };
	if (r->nflows == r->o->flows)
		st_snapshot(r, false);
}

/* END: everything before it arrived and was checked; tell the sender. */
static void
st_recv_end(struct st_recv *r, struct st_rflow *f, const struct st_hdr *h)
{
	struct st_hdr done = { ST_MAGIC_DONE, 1, f->next_seq, f->bytes };
	unsigned int empty = 0;

	if (h->seq != f->next_seq)
		st_rflow_fail(f, f->next_seq, "END counts another number of "
			      "messages");
	f->state = ST_R_DONE;
	f->end_ns = ex_now_ns();
	if (r->first_end_ns == 0)
		st_snapshot(r, true);
	while (machnet_send(r->ch, f->flow, &done, sizeof(done)) != 0) {
		if (errno != EAGAIN)
			st_die("machnet_send DONE");
		st_idle(r->o->idle, false, &empty);
	}
}

static void
st_recv_msg(struct st_recv *r, const MachnetFlow_t *flow, ssize_t n)
{
	struct st_rflow *f = st_rflow_find(r, flow);
	struct st_hdr h = { 0 };
	const char *err;

	if (f == NULL) {
		st_recv_hello(r, flow, n);
		return;
	}
	if (f->state != ST_R_ACTIVE)
		st_rflow_fail(f, f->next_seq, "message after END");
	memcpy(&h, r->buf, n >= ST_HDR_LEN ? sizeof(h) : 0);
	if (n == ST_HDR_LEN && h.magic == ST_MAGIC_END) {
		st_recv_end(r, f, &h);
		return;
	}
	err = st_verify(r->buf, (size_t)n, &f->p, f->next_seq, r->scratch);
	if (err != NULL)
		st_rflow_fail(f, f->next_seq, err);
	f->next_seq++;
	f->bytes += (uint64_t)n;
	r->messages++;
}

/* A flow may only end (closed or reset) after its DONE: anything else is
 * a failure. */
static void
st_recv_reset(struct st_recv *r, const MachnetFlow_t *flow)
{
	struct st_rflow *f = st_rflow_find(r, flow);

	if (f == NULL) {
		fprintf(stderr, "stress: FAIL: flow (port %u) ended before "
			"its HELLO\n", flow->dst_port);
		exit(1);
	}
	if (f->state != ST_R_DONE)
		st_rflow_fail(f, f->next_seq, "flow ended before END");
	f->state = ST_R_CLOSED;
	r->closed++;
}

static void
st_pause(struct st_recv *r)
{
	const struct timespec ts = { r->o->pause_ms / 1000,
				     (r->o->pause_ms % 1000) * 1000000 };

	printf("stress: receiver pausing for %" PRIu64 " ms after %" PRIu64
	       " messages\n", r->o->pause_ms, r->messages);
	fflush(stdout);
	nanosleep(&ts, NULL);
	printf("stress: receiver reading again\n");
	fflush(stdout);
}

static double
st_rate(uint64_t bytes, uint64_t ns)
{
	return ns == 0 ? 0.0 : (double)bytes * 1e3 / (double)ns; /* MB/s */
}

/*
 * Fairness is measured while every flow was sending: from the moment the
 * last flow started to the moment the first one ended. When the flows did
 * not overlap at all, each flow's own lifetime is used instead.
 */
static void
st_report(const struct st_recv *r)
{
	bool overlap = r->first_end_ns > r->all_started_ns;
	uint64_t window = overlap ? r->first_end_ns - r->all_started_ns : 0;
	double sum = 0, sum2 = 0, x;
	uint32_t i;

	for (i = 0; i < r->nflows; i++) {
		const struct st_rflow *f = &r->f[i];

		x = overlap ? st_rate(f->bytes_at_first_end -
				      f->bytes_at_all_started, window) :
			      st_rate(f->bytes, f->end_ns - f->first_ns);
		sum += x;
		sum2 += x * x;
		printf("stress: sender %u flow %u: %" PRIu64 " messages, %"
		       PRIu64 " bytes in %.2f s; %.2f MB/s while all flows "
		       "sent\n", f->p.sender_id, f->p.flow_idx, f->next_seq,
		       f->bytes, (f->end_ns - f->first_ns) / 1e9, x);
	}
	printf("stress: received %" PRIu64 " messages on %u flows, all "
	       "exactly once, in order, intact; %u closes reported\n",
	       r->messages, r->nflows, r->closed);
	printf("stress: jain index %.3f over %u flows (%s, %.2f s)\n",
	       sum2 > 0 ? sum * sum / (r->nflows * sum2) : 0.0, r->nflows,
	       overlap ? "while all flows sent" : "flows did not overlap",
	       window / 1e9);
}

static void
st_recv_poll(struct st_recv *r)
{
	MachnetFlow_t from, flow;
	ssize_t n;

	n = machnet_recv(r->ch, r->buf, MACHNET_MSG_MAX_LEN, &from);
	flow = ex_flow_reply(&from);
	if (n > 0)
		st_recv_msg(r, &flow, n);
	else if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
		st_recv_reset(r, &flow);
	else if (n < 0)
		st_die("machnet_recv");
}

static void
st_recv_timeout(const struct st_recv *r)
{
	uint32_t i;

	for (i = 0; i < r->nflows; i++)
		fprintf(stderr, "stress: sender %u flow %u: %" PRIu64
			" messages, next one %u bytes, %s\n",
			r->f[i].p.sender_id, r->f[i].p.flow_idx,
			r->f[i].next_seq,
			st_msg_len(&r->f[i].p, r->f[i].next_seq),
			r->f[i].state == ST_R_ACTIVE ? "no END yet" :
			r->f[i].state == ST_R_DONE ? "DONE sent" : "closed");
	fprintf(stderr, "stress: FAIL: timeout: %u of %u flows complete, %"
		PRIu64 " messages\n", r->closed, r->o->flows, r->messages);
}

/*
 * Once every flow is DONE, the senders' closes are awaited only so that
 * detaching cannot discard a DONE not yet sent: the data was checked
 * already, and a sender that misses its DONE fails on its own.
 */
static bool
st_close_grace_over(struct st_recv *r)
{
	uint32_t i, done = 0;

	for (i = 0; i < r->nflows; i++)
		done += r->f[i].state != ST_R_ACTIVE;
	if (done < r->o->flows) {
		r->all_done_ns = 0;
		return false;
	}
	if (r->all_done_ns == 0)
		r->all_done_ns = ex_now_ns();
	return ex_now_ns() - r->all_done_ns > ST_CLOSE_GRACE_NS;
}

static int
st_receiver(const struct st_opts *o)
{
	static struct st_recv r;
	uint64_t deadline = ex_now_ns() + (uint64_t)(o->timeout_s * 1e9);
	uint64_t before;
	unsigned int empty = 0;
	bool paused = false;

	r.o = o;
	r.buf = malloc(MACHNET_MSG_MAX_LEN);
	r.scratch = malloc(ST_HDR_LEN);
	if (r.buf == NULL || r.scratch == NULL)
		st_die("malloc");
	r.ch = st_join();
	if (machnet_listen(r.ch, o->local, o->port) != 0)
		st_die("machnet_listen");
	printf("stress: listening on %s:%u\n", o->local, o->port);
	fflush(stdout);
	while (r.closed < o->flows && !st_close_grace_over(&r)) {
		if (ex_now_ns() > deadline) {
			st_recv_timeout(&r);
			return 1;
		}
		if (!paused && o->pause_ms > 0 && r.messages >= o->pause_after) {
			st_pause(&r);
			paused = true;
		}
		before = r.messages + r.closed;
		st_recv_poll(&r);
		st_idle(o->idle, r.messages + r.closed != before, &empty);
	}
	st_report(&r);
	if (machnet_detach(r.ch) != 0)
		st_die("machnet_detach");
	return 0;
}

/* ---- sender ---- */

struct st_sflow {
	MachnetFlow_t flow;
	struct st_params p;
	uint64_t quota;   /* messages to send; UINT64_MAX: until the deadline */
	uint64_t sent;
	bool hello_sent;
	bool end_sent;
	bool done;
	bool ended;
};

struct st_send {
	const struct st_opts *o;
	void *ch;
	uint8_t *buf;     /* the message being offered */
	uint8_t *rxbuf;
	enum st_kind pending_kind;
	size_t pending_len;
	struct st_sflow f[ST_MAX_FLOWS];
	uint32_t cur;
	uint32_t done;
	uint32_t ended;
	uint64_t bytes;
	uint64_t messages;
	uint64_t start_ns;
	uint64_t stop_sending_ns;
	uint64_t blocked_since;
	uint64_t longest_block_ns;
	uint64_t blocked_ns;
	uint64_t refused;         /* sends that failed with EAGAIN */
	unsigned int empty;
};

static struct st_sflow *
st_sflow_find(struct st_send *s, const MachnetFlow_t *flow)
{
	uint32_t i;

	for (i = 0; i < s->o->flows; i++)
		if (ex_flow_eq(&s->f[i].flow, flow))
			return &s->f[i];
	return NULL;
}

static void
st_send_done(struct st_send *s, const MachnetFlow_t *flow, ssize_t n)
{
	struct st_sflow *f = st_sflow_find(s, flow);
	struct st_hdr h = { 0 };

	memcpy(&h, s->rxbuf, n == ST_HDR_LEN ? sizeof(h) : 0);
	if (f == NULL || n != ST_HDR_LEN || h.magic != ST_MAGIC_DONE ||
	    !f->end_sent || f->done) {
		fprintf(stderr, "stress: FAIL: unexpected message (%zd bytes) "
			"from the receiver\n", n);
		exit(1);
	}
	if (h.len != 1 || h.seq != f->sent) {
		fprintf(stderr, "stress: FAIL: flow %u: receiver counted %"
			PRIu64 " of %" PRIu64 " messages\n", f->p.flow_idx,
			h.seq, f->sent);
		exit(1);
	}
	f->done = true;
	s->done++;
}

/* The end of a flow: a failure unless --expect-reset asked for it. */
static void
st_send_reset(struct st_send *s, const MachnetFlow_t *flow)
{
	struct st_sflow *f = st_sflow_find(s, flow);
	uint8_t byte = 0;

	if (f == NULL || f->ended) {
		fprintf(stderr, "stress: FAIL: ECONNRESET for an unknown or "
			"already ended flow\n");
		exit(1);
	}
	if (!s->o->expect_reset) {
		fprintf(stderr, "stress: FAIL: flow %u reset after %" PRIu64
			" messages\n", f->p.flow_idx, f->sent);
		exit(1);
	}
	f->ended = true;
	s->ended++;
	if (machnet_send(s->ch, f->flow, &byte, 1) == 0 || errno != ECONNRESET) {
		fprintf(stderr, "stress: FAIL: send on ended flow %u: %s\n",
			f->p.flow_idx, errno == ECONNRESET ? "accepted" :
			strerror(errno));
		exit(1);
	}
	printf("stress: flow %u ended (ECONNRESET) %.3f s after the start, "
	       "after %" PRIu64 " messages; send on it: ECONNRESET\n",
	       f->p.flow_idx, (ex_now_ns() - s->start_ns) / 1e9, f->sent);
	fflush(stdout);
}

static bool
st_send_poll(struct st_send *s)
{
	MachnetFlow_t from, flow;
	ssize_t n;

	n = machnet_recv(s->ch, s->rxbuf, ST_RXBUF_LEN, &from);
	flow = ex_flow_reply(&from);
	if (n > 0)
		st_send_done(s, &flow, n);
	else if (n < 0 && errno == ECONNRESET)
		st_send_reset(s, &flow);
	else if (n < 0)
		st_die("machnet_recv");
	return n != 0;
}

static enum st_kind
st_next_kind(const struct st_send *s, const struct st_sflow *f, uint64_t now)
{
	if (f->end_sent || f->ended)
		return ST_K_NONE;
	if (!f->hello_sent)
		return ST_K_HELLO;
	if (f->sent < f->quota && now < s->stop_sending_ns)
		return ST_K_DATA;
	return s->o->expect_reset ? ST_K_NONE : ST_K_END;
}

/* Builds what flow f sends next into s->buf, unless it is there already. */
static void
st_build_next(struct st_send *s, struct st_sflow *f, enum st_kind kind)
{
	struct st_hello hello = { .magic = ST_MAGIC_HELLO, .p = f->p };
	struct st_hdr end = { ST_MAGIC_END, 0, f->sent, 0 };

	if (s->pending_kind == kind)
		return;
	s->pending_kind = kind;
	if (kind == ST_K_HELLO) {
		memcpy(s->buf, &hello, sizeof(hello));
		s->pending_len = sizeof(hello);
	} else if (kind == ST_K_END) {
		memcpy(s->buf, &end, sizeof(end));
		s->pending_len = sizeof(end);
	} else {
		s->pending_len = st_build(s->buf, &f->p, f->sent);
	}
}

static void
st_sent(struct st_send *s, struct st_sflow *f)
{
	if (s->pending_kind == ST_K_HELLO) {
		f->hello_sent = true;
	} else if (s->pending_kind == ST_K_END) {
		f->end_sent = true;
	} else {
		f->sent++;
		s->messages++;
		s->bytes += s->pending_len;
	}
	s->pending_kind = ST_K_NONE;
}

static void
st_next_flow(struct st_send *s)
{
	s->pending_kind = ST_K_NONE;
	s->cur = (s->cur + 1) % s->o->flows;
}

/*
 * Offers one message of the current flow. A full channel (EAGAIN) keeps
 * the flow current and its message built, to be offered again.
 */
static bool
st_send_one(struct st_send *s, uint64_t now)
{
	struct st_sflow *f = &s->f[s->cur];
	enum st_kind kind = st_next_kind(s, f, now);

	if (kind == ST_K_NONE) {
		st_next_flow(s);
		return false;
	}
	st_build_next(s, f, kind);
	if (machnet_send(s->ch, f->flow, s->buf, s->pending_len) != 0) {
		if (errno == ECONNRESET && s->o->expect_reset)
			return false; /* machnet_recv reports it, in order */
		if (errno != EAGAIN)
			st_die("machnet_send");
		s->refused++;
		if (s->blocked_since == 0)
			s->blocked_since = now;
		return false;
	}
	if (s->blocked_since != 0) {
		s->blocked_ns += now - s->blocked_since;
		if (now - s->blocked_since > s->longest_block_ns)
			s->longest_block_ns = now - s->blocked_since;
		s->blocked_since = 0;
	}
	st_sent(s, f);
	st_next_flow(s);
	return true;
}

static void
st_connect_all(struct st_send *s)
{
	const struct st_opts *o = s->o;
	uint32_t i;

	for (i = 0; i < o->flows; i++) {
		struct st_sflow *f = &s->f[i];

		if (machnet_connect(s->ch, o->local, o->remote, o->port,
				    &f->flow) != 0)
			st_die("machnet_connect");
		f->p = o->p;
		f->p.flow_idx = i;
		f->quota = o->count == 0 ? UINT64_MAX :
			   o->count / o->flows + (i < o->count % o->flows);
	}
}

static bool
st_sender_finished(const struct st_send *s)
{
	return s->o->expect_reset ? s->ended == s->o->flows :
				    s->done == s->o->flows;
}

static void
st_sender_report(const struct st_send *s)
{
	uint64_t ns = ex_now_ns() - s->start_ns;

	printf("stress: sender %u: %" PRIu64 " messages, %" PRIu64 " bytes on "
	       "%u flows in %.2f s (%.2f MB/s); waited for room %.0f ms, at "
	       "most %.0f ms at once; %" PRIu64 " sends refused (EAGAIN)\n",
	       s->o->p.sender_id, s->messages, s->bytes, s->o->flows, ns / 1e9,
	       st_rate(s->bytes, ns), s->blocked_ns / 1e6,
	       s->longest_block_ns / 1e6, s->refused);
}

static int
st_sender(const struct st_opts *o)
{
	static struct st_send s;
	uint64_t deadline, now;
	bool progress;
	uint32_t i;

	s.o = o;
	s.buf = malloc(MACHNET_MSG_MAX_LEN);
	s.rxbuf = malloc(ST_RXBUF_LEN);
	if (s.buf == NULL || s.rxbuf == NULL)
		st_die("malloc");
	s.ch = st_join();
	st_connect_all(&s);
	s.start_ns = ex_now_ns();
	deadline = s.start_ns + (uint64_t)(o->timeout_s * 1e9);
	s.stop_sending_ns = o->duration_s > 0 ?
		s.start_ns + (uint64_t)(o->duration_s * 1e9) : UINT64_MAX;
	printf("stress: sender %u connected %u flows\n", o->p.sender_id,
	       o->flows);
	fflush(stdout);
	while (!st_sender_finished(&s)) {
		now = ex_now_ns();
		if (now > deadline) {
			st_sender_report(&s);
			fprintf(stderr, "stress: FAIL: timeout: %u of %u flows "
				"done, %u ended\n", s.done, o->flows, s.ended);
			return 1;
		}
		progress = st_send_one(&s, now);
		progress |= st_send_poll(&s);
		st_idle(o->idle, progress, &s.empty);
	}
	st_sender_report(&s);
	for (i = 0; i < o->flows && !o->expect_reset; i++)
		if (machnet_close(s.ch, s.f[i].flow) != 0)
			st_die("machnet_close");
	if (machnet_detach(s.ch) != 0)
		st_die("machnet_detach");
	return 0;
}

/* ---- options ---- */

static double
st_parse_double(const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		st_usage();
	return v;
}

static enum st_idle
st_parse_idle(const char *s)
{
	if (strcmp(s, "sleep") == 0)
		return ST_IDLE_SLEEP;
	if (strcmp(s, "yield") == 0)
		return ST_IDLE_YIELD;
	st_usage();
	return ST_IDLE_SLEEP;
}

static void
st_parse_opt(struct st_opts *o, int c)
{
	switch (c) {
	case 'l':
		o->local = optarg;
		break;
	case 'r':
		o->remote = optarg;
		break;
	case 'P':
		o->port = ex_parse_u64(optarg, 1, UINT16_MAX, st_usage);
		break;
	case 'f':
		o->flows = ex_parse_u64(optarg, 1, ST_MAX_FLOWS, st_usage);
		break;
	case 'n':
		o->count = ex_parse_u64(optarg, 1, UINT64_MAX / 2, st_usage);
		break;
	case 'd':
		o->duration_s = st_parse_double(optarg, 0.001, 3600);
		break;
	case 'I':
		o->p.sender_id = ex_parse_u64(optarg, 0, UINT32_MAX, st_usage);
		break;
	case 's':
		o->p.seed = ex_parse_u64(optarg, 0, UINT64_MAX, st_usage);
		break;
	case 'a':
		o->p.min_size = ex_parse_u64(optarg, 1, ST_BIG_LEN, st_usage);
		break;
	case 'b':
		o->p.max_size = ex_parse_u64(optarg, 1, ST_BIG_LEN, st_usage);
		break;
	case 'k':
		o->p.skew = st_parse_double(optarg, 0.1, 100);
		break;
	case 'B':
		o->p.big_every = ex_parse_u64(optarg, 1, UINT32_MAX, st_usage);
		break;
	case 'R':
		o->expect_reset = true;
		break;
	case 'A':
		o->pause_after = ex_parse_u64(optarg, 0, UINT64_MAX, st_usage);
		break;
	case 'M':
		o->pause_ms = ex_parse_u64(optarg, 1, 600000, st_usage);
		break;
	case 'i':
		o->idle = st_parse_idle(optarg);
		break;
	case 't':
		o->timeout_s = st_parse_double(optarg, 1, 86400);
		break;
	default:
		st_usage();
	}
}

static void
st_parse(int argc, char **argv, struct st_opts *o)
{
	static const struct option longopts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'P' },
		{ "flows", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'I' },
		{ "seed", required_argument, NULL, 's' },
		{ "min-size", required_argument, NULL, 'a' },
		{ "max-size", required_argument, NULL, 'b' },
		{ "skew", required_argument, NULL, 'k' },
		{ "big-every", required_argument, NULL, 'B' },
		{ "expect-reset", no_argument, NULL, 'R' },
		{ "pause-after", required_argument, NULL, 'A' },
		{ "pause-ms", required_argument, NULL, 'M' },
		{ "idle", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc < 2)
		st_usage();
	*o = (struct st_opts){ .port = ST_PORT, .flows = 1, .timeout_s = 120,
			       .idle = ST_IDLE_SLEEP,
			       .p = { .seed = 1, .min_size = 1,
				      .max_size = 65536, .skew = 1.0 } };
	if (strcmp(argv[1], "send") == 0)
		o->send = true;
	else if (strcmp(argv[1], "recv") != 0)
		st_usage();
	opterr = 0; /* st_usage() is the one line a bad argument gets */
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		st_parse_opt(o, c);
	if (optind != argc || o->local == NULL ||
	    o->p.min_size > o->p.max_size)
		st_usage();
	if (o->send ? (o->remote == NULL || (o->count == 0) ==
		       (o->duration_s == 0) || o->pause_ms > 0) :
		      (o->remote != NULL || o->count != 0 || o->expect_reset))
		st_usage();
}

int
main(int argc, char **argv)
{
	struct st_opts o;

	st_parse(argc, argv, &o);
	return o.send ? st_sender(&o) : st_receiver(&o);
}
