/*
 * kv_server.c: the kv server. One channel, one thread, any number of
 * flows: every request is answered on the flow it came from, so the server
 * needs no per-client state. Values go from the table straight into the
 * response message through machnet_sendmsg's iovecs, with no staging copy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_flow.h"
#include "kv.h"
#include "machnet.h"

#define KV_TABLE_INIT_SLOTS 1024u

struct kv_entry {
	struct kv_entry *next;
	uint32_t hash;
	uint32_t val_len;
	uint8_t key_len;
	uint8_t key[KV_KEY_MAX];
	uint8_t val[];
};

/* Chained hash table; doubles when it holds more entries than slots. */
struct kv_table {
	struct kv_entry **slots;
	uint32_t mask;
	uint32_t count;
};

struct kv_server {
	void *ch;
	enum ex_idle idle;
	struct kv_table table;
	uint64_t served[KV_DEL + 1]; /* by op; [0]: bad requests */
};

/* FNV-1a: short keys, and no adversary in an example. */
static uint32_t
kv_hash(const uint8_t *key, uint8_t len)
{
	uint32_t h = 2166136261u;
	uint8_t i;

	for (i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static int
table_init(struct kv_table *t)
{
	t->slots = calloc(KV_TABLE_INIT_SLOTS, sizeof(*t->slots));
	t->mask = KV_TABLE_INIT_SLOTS - 1;
	t->count = 0;
	return t->slots == NULL ? -1 : 0;
}

static void
table_free(struct kv_table *t)
{
	struct kv_entry *e, *next;
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		for (e = t->slots[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(t->slots);
}

/* The link pointing at key's entry, or the NULL link ending its chain. */
static struct kv_entry **
table_link(struct kv_table *t, const uint8_t *key, uint8_t len, uint32_t hash)
{
	struct kv_entry **link = &t->slots[hash & t->mask];

	while (*link != NULL &&
	       ((*link)->hash != hash || (*link)->key_len != len ||
		memcmp((*link)->key, key, len) != 0))
		link = &(*link)->next;
	return link;
}

/* A failed grow leaves the table as it was, only more loaded. */
static void
table_grow(struct kv_table *t)
{
	uint32_t slots = (t->mask + 1) * 2, i;
	struct kv_entry **grown = calloc(slots, sizeof(*grown));
	struct kv_entry *e, *next;

	if (grown == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
		for (e = t->slots[i]; e != NULL; e = next) {
			next = e->next;
			e->next = grown[e->hash & (slots - 1)];
			grown[e->hash & (slots - 1)] = e;
		}
	free(t->slots);
	t->slots = grown;
	t->mask = slots - 1;
}

static uint8_t
table_put(struct kv_table *t, const struct kv_req *q)
{
	uint32_t hash = kv_hash(q->key, q->key_len);
	struct kv_entry **link = table_link(t, q->key, q->key_len, hash);
	struct kv_entry *e = malloc(sizeof(*e) + q->val_len);

	if (e == NULL)
		return KV_NO_MEMORY;
	e->hash = hash;
	e->key_len = q->key_len;
	memcpy(e->key, q->key, q->key_len);
	e->val_len = q->val_len;
	memcpy(e->val, q->val, q->val_len);
	if (*link != NULL) {
		e->next = (*link)->next;
		free(*link);
		*link = e;
		return KV_OK;
	}
	e->next = NULL;
	*link = e;
	if (++t->count > t->mask + 1)
		table_grow(t);
	return KV_OK;
}

static uint8_t
table_del(struct kv_table *t, const struct kv_req *q)
{
	uint32_t hash = kv_hash(q->key, q->key_len);
	struct kv_entry **link = table_link(t, q->key, q->key_len, hash);
	struct kv_entry *e = *link;

	if (e == NULL)
		return KV_NOT_FOUND;
	*link = e->next;
	free(e);
	t->count--;
	return KV_OK;
}

/* Fills r for a GET; r->val points into the table until it changes. */
static void
table_get(struct kv_table *t, const struct kv_req *q, struct kv_resp *r)
{
	uint32_t hash = kv_hash(q->key, q->key_len);
	struct kv_entry *e = *table_link(t, q->key, q->key_len, hash);

	r->status = e == NULL ? KV_NOT_FOUND : KV_OK;
	if (e != NULL) {
		r->val = e->val;
		r->val_len = e->val_len;
	}
}

/* Retries while the channel is full, as every sender must. */
static void
kv_respond(struct kv_server *s, MachnetFlow_t flow, const struct kv_resp *r)
{
	uint8_t hdr[KV_HDR_LEN];
	MachnetIovec_t iov[2] = {
		{ .base = hdr, .len = KV_HDR_LEN },
		{ .base = (void *)(uintptr_t)r->val, .len = r->val_len },
	};
	MachnetMsgHdr_t msg = {
		.msg_size = KV_HDR_LEN + r->val_len,
		.flow_info = flow,
		.msg_iov = iov,
		.msg_iovlen = r->val_len != 0 ? 2 : 1,
	};
	unsigned int empty = 0;

	kv_resp_put_hdr(hdr, r);
	while (machnet_sendmsg(s->ch, &msg) != 0) {
		if (errno != EAGAIN)
			kv_die("machnet_sendmsg");
		if (kv_stop)
			return;
		ex_idle(s->idle, false, &empty);
	}
}

static void
kv_handle(struct kv_server *s, const uint8_t *buf, size_t len,
	  MachnetFlow_t flow)
{
	struct kv_resp r = { 0 };
	struct kv_req q;

	if (!kv_req_parse(buf, len, &q))
		r.status = KV_BAD_REQUEST;
	else if (q.op == KV_GET)
		table_get(&s->table, &q, &r);
	else if (q.op == KV_PUT)
		r.status = table_put(&s->table, &q);
	else
		r.status = table_del(&s->table, &q);
	r.op = q.op;
	r.id = q.id;
	s->served[r.status == KV_BAD_REQUEST ? 0 : q.op]++;
	kv_respond(s, flow, &r);
}

/* A message too long for any request: its flow is known, its content lost. */
static void
kv_handle_oversized(struct kv_server *s, MachnetFlow_t flow)
{
	struct kv_resp r = { .status = KV_BAD_REQUEST };

	s->served[0]++;
	kv_respond(s, flow, &r);
}

static void
kv_serve(struct kv_server *s, uint8_t *buf)
{
	unsigned int empty = 0;
	MachnetFlow_t flow;
	ssize_t n;

	while (!kv_stop) {
		n = machnet_recv(s->ch, buf, KV_REQ_MAX, &flow);
		/* libmachnet names the flow of a message too long to take. */
		if (n < 0 && errno == EMSGSIZE)
			kv_handle_oversized(s, ex_flow_reply(&flow));
		else if (n < 0 && !kv_stop)
			kv_die("machnet_recv");
		else if (n > 0)
			kv_handle(s, buf, (size_t)n, ex_flow_reply(&flow));
		ex_idle(s->idle, n != 0, &empty);
	}
}

int
kv_server(const struct kv_opts *o)
{
	struct kv_server s = { .idle = o->idle };
	uint8_t *buf = malloc(KV_REQ_MAX);

	if (buf == NULL || table_init(&s.table) != 0)
		kv_die("malloc");
	s.ch = kv_join();
	if (machnet_listen(s.ch, o->local, o->port) != 0)
		kv_die("machnet_listen");
	printf("kv: listening on %s:%u\n", o->local, o->port);
	fflush(stdout);
	kv_serve(&s, buf);
	printf("kv: served %" PRIu64 " GET, %" PRIu64 " PUT, %" PRIu64
	       " DEL, %" PRIu64 " bad requests; %u keys stored\n",
	       s.served[KV_GET], s.served[KV_PUT], s.served[KV_DEL],
	       s.served[0], s.table.count);
	if (machnet_detach(s.ch) != 0)
		kv_die("machnet_detach");
	table_free(&s.table);
	free(buf);
	return 0;
}
