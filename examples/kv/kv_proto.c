/*
 * kv_proto.c: encoding and checking of the kv wire format (kv.h), kept
 * apart from the server and the client so both read it the same way.
 */
#include <string.h>

#include "kv.h"

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
put_hdr(uint8_t *buf, uint8_t b0, uint8_t b1, uint32_t id, uint32_t val_len)
{
	buf[0] = b0;
	buf[1] = b1;
	buf[2] = 0;
	buf[3] = 0;
	put_le32(buf + 4, id);
	put_le32(buf + 8, val_len);
}

void
kv_req_put_hdr(uint8_t *buf, const struct kv_req *r)
{
	put_hdr(buf, r->op, r->key_len, r->id, r->val_len);
}

void
kv_resp_put_hdr(uint8_t *buf, const struct kv_resp *r)
{
	put_hdr(buf, r->status, r->op, r->id, r->val_len);
}

static bool
op_known(uint8_t op)
{
	return op == KV_GET || op == KV_PUT || op == KV_DEL;
}

bool
kv_req_parse(const uint8_t *buf, size_t len, struct kv_req *r)
{
	memset(r, 0, sizeof(*r));
	if (len >= 1)
		r->op = buf[0];
	if (len < KV_HDR_LEN)
		return false;
	r->key_len = buf[1];
	r->id = get_le32(buf + 4);
	r->val_len = get_le32(buf + 8);
	r->key = buf + KV_HDR_LEN;
	r->val = r->key + r->key_len;
	if (!op_known(r->op) || r->key_len == 0 || r->key_len > KV_KEY_MAX ||
	    r->val_len > KV_VAL_MAX || (r->op != KV_PUT && r->val_len != 0))
		return false;
	return len == KV_HDR_LEN + (size_t)r->key_len + r->val_len;
}

bool
kv_resp_parse(const uint8_t *buf, size_t len, struct kv_resp *r)
{
	memset(r, 0, sizeof(*r));
	if (len < KV_HDR_LEN)
		return false;
	r->status = buf[0];
	r->op = buf[1];
	r->id = get_le32(buf + 4);
	r->val_len = get_le32(buf + 8);
	r->val = buf + KV_HDR_LEN;
	return len == KV_HDR_LEN + (size_t)r->val_len;
}

const char *
kv_status_name(uint8_t status)
{
	static const char *const names[] = {
		[KV_OK] = "OK",
		[KV_NOT_FOUND] = "NOT_FOUND",
		[KV_BAD_REQUEST] = "BAD_REQUEST",
		[KV_NO_MEMORY] = "NO_MEMORY",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] :
							     "unknown status";
}

const char *
kv_op_name(uint8_t op)
{
	static const char *const names[] = {
		[KV_GET] = "GET",
		[KV_PUT] = "PUT",
		[KV_DEL] = "DEL",
	};

	return op_known(op) ? names[op] : "unknown op";
}
