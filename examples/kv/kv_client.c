/*
 * kv_client.c: the kv client's scripted workload, which checks every
 * response. It opens --flows flows and keeps up to --window requests in
 * flight on each, the way a service client pipelines, and goes through
 * phases whose every answer is known in advance: PUT every key, GET them,
 * send malformed requests, overwrite every key with a value of another
 * length, GET the new values, DEL every key, then GET and DEL them again
 * expecting NOT_FOUND. Keys carry a tag drawn at start, so clients
 * running at once do not share keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ex_flow.h"
#include "kv.h"
#include "machnet.h"

#define KV_SHOWN_ERRORS 10
#define KV_RECV_BURST 32

/* Malformed requests, each answered BAD_REQUEST by a server that goes on. */
enum kv_probe {
	KV_PROBE_SHORT,
	KV_PROBE_UNKNOWN_OP,
	KV_PROBE_EMPTY_KEY,
	KV_PROBE_LONG_KEY,
	KV_PROBE_GET_WITH_VALUE,
	KV_PROBE_LENGTH_MISMATCH,
	KV_PROBE_OVERSIZED,
	KV_PROBE_COUNT
};

struct kv_phase {
	const char *name;
	uint8_t op;     /* 0: the malformed requests of enum kv_probe */
	uint8_t gen;    /* the generation of values PUT writes or GET expects */
	uint8_t expect; /* the status every response must have */
};

static const struct kv_phase kv_phases[] = {
	{ "put", KV_PUT, 0, KV_OK },
	{ "get", KV_GET, 0, KV_OK },
	{ "malformed", 0, 0, KV_BAD_REQUEST },
	{ "overwrite", KV_PUT, 1, KV_OK },
	{ "get-new", KV_GET, 1, KV_OK },
	{ "del", KV_DEL, 0, KV_OK },
	{ "get-missing", KV_GET, 0, KV_NOT_FOUND },
	{ "del-missing", KV_DEL, 0, KV_NOT_FOUND },
};
#define KV_NPHASES (sizeof(kv_phases) / sizeof(kv_phases[0]))

/* A request in flight and what its response must be. */
struct kv_pending {
	uint64_t sent_ns;
	uint32_t id;
	uint32_t item; /* key index, or probe */
	uint8_t op;
	uint8_t status;
};

struct kv_flow {
	MachnetFlow_t flow;
	struct kv_pending *fifo; /* window entries, in request order */
	uint32_t head;
	uint32_t inflight;
	uint32_t next_item; /* the next this flow sends in the phase */
};

struct kv_client {
	const struct kv_opts *o;
	void *ch;
	struct kv_flow *flows;
	const struct kv_phase *phase;
	uint32_t items;   /* in the phase */
	uint32_t done;    /* responses in the phase */
	uint32_t tag;
	uint32_t next_id;
	uint64_t errors;
	uint64_t deadline;
	uint64_t busy_ns; /* sum of phase durations */
	uint64_t *lat;    /* round trips, ns, of every phase so far */
	uint64_t nlat;
	uint8_t *val;     /* a value being sent or expected */
	uint8_t *msg;     /* a malformed request being sent */
	uint8_t *rxbuf;
};

static uint64_t
kv_mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Key i: "tag:i:" padded with letters, cycling through every length to 64. */
static uint8_t
kv_key(const struct kv_client *c, uint32_t i, uint8_t key[KV_KEY_MAX + 1])
{
	int base = snprintf((char *)key, KV_KEY_MAX + 1, "%08x:%u:", c->tag, i);
	uint32_t len = (uint32_t)base + i % (KV_KEY_MAX + 1 - (uint32_t)base);
	uint32_t j;

	for (j = (uint32_t)base; j < len; j++)
		key[j] = (uint8_t)('a' + (i + j) % 26);
	return (uint8_t)len;
}

/*
 * The value of key i in generation gen, into c->val; returns its length.
 * Key 0 always gets the largest, --value_size.
 */
static uint32_t
kv_value(const struct kv_client *c, uint32_t i, uint8_t gen)
{
	uint64_t state = ((uint64_t)c->tag << 32 | i) * 2 + gen, word = 0;
	uint64_t first = kv_mix(&state);
	uint32_t len, j;

	len = i == 0 ? c->o->value_size :
		       1 + (uint32_t)(first % c->o->value_size);
	for (j = 0; j < len; j++) {
		if (j % 8 == 0)
			word = kv_mix(&state);
		c->val[j] = (uint8_t)(word >> (8 * (j % 8)));
	}
	return len;
}

static void
kv_error(struct kv_client *c, const struct kv_pending *p, const char *fmt,
	 ...)
{
	va_list ap;

	if (c->errors++ >= KV_SHOWN_ERRORS)
		return;
	fprintf(stderr, "kv: %s, request %" PRIu32 " (%s of item %" PRIu32
		"): ", c->phase->name, p->id, kv_op_name(p->op), p->item);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Sends the request for key i of the phase; false when the channel is full. */
static bool
kv_send_key(struct kv_client *c, const struct kv_flow *f, uint32_t i,
	    struct kv_pending *p)
{
	uint8_t head[KV_HDR_LEN + KV_KEY_MAX + 1];
	struct kv_req q = { .op = c->phase->op, .id = c->next_id };
	MachnetIovec_t iov[2] = { { .base = head }, { .base = c->val } };
	MachnetMsgHdr_t msg = { .flow_info = f->flow, .msg_iov = iov,
				.msg_iovlen = 2 };

	q.key_len = kv_key(c, i, head + KV_HDR_LEN);
	if (q.op == KV_PUT)
		q.val_len = kv_value(c, i, c->phase->gen);
	kv_req_put_hdr(head, &q);
	iov[0].len = KV_HDR_LEN + q.key_len;
	iov[1].len = q.val_len;
	msg.msg_size = (uint32_t)(iov[0].len + iov[1].len);
	*p = (struct kv_pending){ .id = q.id, .item = i, .op = q.op,
				  .status = c->phase->expect };
	if (machnet_sendmsg(c->ch, &msg) == 0)
		return true;
	if (errno != EAGAIN)
		kv_die("machnet_sendmsg");
	return false;
}

/* The header of probe k, and the length of its message. */
static size_t
kv_probe_req(enum kv_probe k, struct kv_req *q)
{
	q->op = KV_GET;
	q->key_len = 4;
	q->val_len = 0;
	switch (k) {
	case KV_PROBE_SHORT:
		return KV_HDR_LEN - 1;
	case KV_PROBE_UNKNOWN_OP:
		q->op = KV_DEL + 6;
		break;
	case KV_PROBE_EMPTY_KEY:
		q->key_len = 0;
		break;
	case KV_PROBE_LONG_KEY:
		q->key_len = KV_KEY_MAX + 1;
		break;
	case KV_PROBE_GET_WITH_VALUE:
		q->val_len = 4;
		break;
	case KV_PROBE_LENGTH_MISMATCH:
		q->op = KV_PUT;
		q->val_len = 10;
		return KV_HDR_LEN + q->key_len + 5;
	default: /* KV_PROBE_OVERSIZED: one byte more than any request */
		q->op = KV_PUT;
		q->key_len = KV_KEY_MAX;
		q->val_len = KV_VAL_MAX + 1;
	}
	return KV_HDR_LEN + (size_t)q->key_len + q->val_len;
}

/* Builds probe k in c->msg and what its response must be; its length. */
static size_t
kv_probe_build(struct kv_client *c, enum kv_probe k, struct kv_pending *p)
{
	struct kv_req q = { .id = c->next_id };
	size_t len = kv_probe_req(k, &q);

	memset(c->msg, 'x', len);
	kv_req_put_hdr(c->msg, &q);
	*p = (struct kv_pending){ .item = k, .op = q.op,
				  .status = KV_BAD_REQUEST };
	/* Only a complete header carries the id back. */
	if (len >= KV_HDR_LEN)
		p->id = q.id;
	/* The server never sees an oversized message's content. */
	if (k == KV_PROBE_OVERSIZED)
		*p = (struct kv_pending){ .item = k, .status = KV_BAD_REQUEST };
	return len;
}

static bool
kv_send_probe(struct kv_client *c, const struct kv_flow *f, uint32_t k,
	      struct kv_pending *p)
{
	size_t len = kv_probe_build(c, (enum kv_probe)k, p);

	if (machnet_send(c->ch, f->flow, c->msg, len) == 0)
		return true;
	if (errno != EAGAIN)
		kv_die("machnet_send");
	return false;
}

/* Fills the flow's window with the phase's next items. */
static bool
kv_issue(struct kv_client *c, struct kv_flow *f)
{
	struct kv_pending *p;
	bool progress = false, sent;

	while (f->inflight < c->o->window && f->next_item < c->items) {
		p = &f->fifo[(f->head + f->inflight) % c->o->window];
		sent = c->phase->op == 0 ?
			       kv_send_probe(c, f, f->next_item, p) :
			       kv_send_key(c, f, f->next_item, p);
		if (!sent)
			break;
		p->sent_ns = ex_now_ns();
		f->inflight++;
		f->next_item += c->o->flows;
		c->next_id++;
		progress = true;
	}
	return progress;
}

static void
kv_check_value(struct kv_client *c, const struct kv_pending *p,
	       const struct kv_resp *r)
{
	uint32_t len = kv_value(c, p->item, c->phase->gen);

	if (r->val_len != len)
		kv_error(c, p, "value of %" PRIu32 " B, expected %" PRIu32
			 " B", r->val_len, len);
	else if (memcmp(r->val, c->val, len) != 0)
		kv_error(c, p, "value differs");
}

static void
kv_check(struct kv_client *c, const struct kv_pending *p, size_t n)
{
	struct kv_resp r;

	if (!kv_resp_parse(c->rxbuf, n, &r))
		kv_error(c, p, "malformed response of %zu B", n);
	else if (r.id != p->id || r.op != p->op)
		kv_error(c, p, "response to request %" PRIu32 " (%s)", r.id,
			 kv_op_name(r.op));
	else if (r.status != p->status)
		kv_error(c, p, "%s, expected %s", kv_status_name(r.status),
			 kv_status_name(p->status));
	else if (p->op == KV_GET && r.status == KV_OK)
		kv_check_value(c, p, &r);
	else if (r.val_len != 0)
		kv_error(c, p, "a value with %s", kv_status_name(r.status));
}

static struct kv_flow *
kv_find_flow(const struct kv_client *c, const MachnetFlow_t *received)
{
	MachnetFlow_t flow = ex_flow_reply(received);
	uint32_t i;

	for (i = 0; i < c->o->flows; i++)
		if (ex_flow_eq(&c->flows[i].flow, &flow))
			return &c->flows[i];
	return NULL;
}

/* Matches a response with the oldest request in flight on its flow. */
static void
kv_on_response(struct kv_client *c, const MachnetFlow_t *flow, size_t n,
	       uint64_t now)
{
	struct kv_flow *f = kv_find_flow(c, flow);
	struct kv_pending *p;

	if (f == NULL || f->inflight == 0) {
		c->errors++;
		fprintf(stderr, "kv: %s: a response of %zu B %s\n",
			c->phase->name, n, f ? "with nothing in flight" :
					       "on a foreign flow");
		return;
	}
	p = &f->fifo[f->head];
	f->head = (f->head + 1) % c->o->window;
	f->inflight--;
	kv_check(c, p, n);
	c->lat[c->nlat++] = now - p->sent_ns;
	c->done++;
}

static bool
kv_poll(struct kv_client *c)
{
	MachnetFlow_t flow;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < KV_RECV_BURST; i++) {
		n = machnet_recv(c->ch, c->rxbuf, KV_RESP_MAX, &flow);
		if (n < 0)
			kv_die("machnet_recv");
		if (n == 0)
			break;
		kv_on_response(c, &flow, (size_t)n, ex_now_ns());
	}
	return i > 0;
}

static int
kv_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted round trips, in microseconds. */
static double
kv_pct_us(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t rank = (uint64_t)(q * (double)n + 0.999999);

	return (double)sorted[(rank == 0 ? 1 : rank) - 1] / 1e3;
}

static void
kv_report(const char *what, uint64_t *lat, uint64_t n, uint64_t ns)
{
	qsort(lat, n, sizeof(*lat), kv_cmp_u64);
	printf("kv: %-11s %8" PRIu64 " ops %9.0f ops/s, rtt us p50 %.1f "
	       "p99 %.1f p99.9 %.1f\n", what, n, (double)n * 1e9 / (double)ns,
	       kv_pct_us(lat, n, 0.5), kv_pct_us(lat, n, 0.99),
	       kv_pct_us(lat, n, 0.999));
	fflush(stdout);
}

static void
kv_phase_begin(struct kv_client *c, const struct kv_phase *ph)
{
	uint32_t i;

	c->phase = ph;
	c->items = ph->op == 0 ? KV_PROBE_COUNT : c->o->keys;
	c->done = 0;
	for (i = 0; i < c->o->flows; i++)
		c->flows[i].next_item = i;
}

/* Runs one phase to its last response; false on timeout or signal. */
static bool
kv_run_phase(struct kv_client *c, const struct kv_phase *ph)
{
	uint64_t start = ex_now_ns(), first = c->nlat, elapsed;
	unsigned int empty = 0;
	bool progress;
	uint32_t i;

	kv_phase_begin(c, ph);
	while (c->done < c->items) {
		progress = false;
		for (i = 0; i < c->o->flows; i++)
			progress |= kv_issue(c, &c->flows[i]);
		progress |= kv_poll(c);
		if (kv_stop || ex_now_ns() > c->deadline) {
			fprintf(stderr, "kv: %s: %s with %" PRIu32 " of %"
				PRIu32 " responses missing\n", ph->name,
				kv_stop ? "interrupted" : "out of time",
				c->items - c->done, c->items);
			return false;
		}
		ex_idle(c->o->idle, progress, &empty);
	}
	elapsed = ex_now_ns() - start;
	c->busy_ns += elapsed;
	kv_report(ph->name, c->lat + first, c->nlat - first, elapsed);
	return true;
}

static void
kv_client_init(struct kv_client *c, const struct kv_opts *o)
{
	uint32_t i;

	*c = (struct kv_client){ .o = o };
	c->tag = (uint32_t)getpid() ^ (uint32_t)ex_now_ns();
	c->flows = calloc(o->flows, sizeof(*c->flows));
	c->lat = calloc((uint64_t)o->keys * KV_NPHASES + KV_PROBE_COUNT,
			sizeof(*c->lat));
	c->val = malloc(KV_VAL_MAX);
	c->msg = malloc(KV_REQ_MAX + 1);
	c->rxbuf = malloc(KV_RESP_MAX);
	if (!c->flows || !c->lat || !c->val || !c->msg || !c->rxbuf)
		kv_die("malloc");
	for (i = 0; i < o->flows; i++) {
		c->flows[i].fifo = calloc(o->window, sizeof(struct kv_pending));
		if (c->flows[i].fifo == NULL)
			kv_die("malloc");
	}
}

static void
kv_client_free(struct kv_client *c)
{
	uint32_t i;

	for (i = 0; i < c->o->flows; i++)
		free(c->flows[i].fifo);
	free(c->flows);
	free(c->lat);
	free(c->val);
	free(c->msg);
	free(c->rxbuf);
}

static void
kv_connect_all(struct kv_client *c)
{
	uint32_t i;

	/* A server that resets a flow ends the run at once, not by timeout. */
	if (machnet_set_flow_events(c->ch, 1) != 0)
		kv_die("machnet_set_flow_events");
	for (i = 0; i < c->o->flows; i++)
		if (machnet_connect(c->ch, c->o->local, c->o->remote,
				    c->o->port, &c->flows[i].flow) != 0)
			kv_die("machnet_connect");
	printf("kv: %u flows to %s:%u, window %u, %u keys, values up to %u "
	       "B\n", c->o->flows, c->o->remote, c->o->port, c->o->window,
	       c->o->keys, c->o->value_size);
	fflush(stdout);
}

static void
kv_summary(struct kv_client *c)
{
	qsort(c->lat, c->nlat, sizeof(*c->lat), kv_cmp_u64);
	printf("summary: ops=%" PRIu64 " ops_per_s=%.0f p50_us=%.1f "
	       "p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%" PRIu64 "\n",
	       c->nlat, (double)c->nlat * 1e9 / (double)c->busy_ns,
	       kv_pct_us(c->lat, c->nlat, 0.5),
	       kv_pct_us(c->lat, c->nlat, 0.99),
	       kv_pct_us(c->lat, c->nlat, 0.999),
	       kv_pct_us(c->lat, c->nlat, 1.0), c->errors);
	fflush(stdout);
}

int
kv_client(const struct kv_opts *o)
{
	struct kv_client c;
	bool finished = true;
	size_t i;

	kv_client_init(&c, o);
	c.ch = kv_join();
	kv_connect_all(&c);
	c.deadline = ex_now_ns() + (uint64_t)o->timeout_s * 1000000000ull;
	for (i = 0; i < KV_NPHASES && finished; i++)
		finished = kv_run_phase(&c, &kv_phases[i]);
	if (finished)
		kv_summary(&c);
	for (i = 0; i < o->flows; i++)
		if (machnet_close(c.ch, c.flows[i].flow) != 0)
			kv_die("machnet_close");
	if (machnet_detach(c.ch) != 0)
		kv_die("machnet_detach");
	kv_client_free(&c);
	return finished && c.errors == 0 ? 0 : 1;
}
