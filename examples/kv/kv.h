/*
 * kv.h: the wire format of the kv example and what its parts share.
 *
 * One request is one machnet message and gets one response message on
 * the same flow; a client may pipeline requests on a flow, and responses
 * come back in request order because a flow delivers in order. All
 * integers are little endian.
 *
 * Request:
 *   offset size
 *    0     1    op        1 GET, 2 PUT, 3 DEL
 *    1     1    key_len   1..64
 *    2     2    reserved  0
 *    4     4    id        chosen by the client, returned in the response
 *    8     4    val_len   PUT: 0..65536; GET and DEL: 0
 *   12     key_len bytes of key, then val_len bytes of value
 *
 * Response:
 *    0     1    status    0 OK, 1 NOT_FOUND, 2 BAD_REQUEST, 3 NO_MEMORY
 *    1     1    op        the request's op (0 if it had none)
 *    2     2    reserved  0
 *    4     4    id        the request's id (0 if it had no complete header)
 *    8     4    val_len   length of the value of a successful GET, else 0
 *   12     val_len bytes of value
 *
 * PUT creates or replaces; DEL of a missing key and GET of one answer
 * NOT_FOUND. A request whose length differs from 12 + key_len + val_len,
 * or with an unknown op or out-of-range length, gets BAD_REQUEST; so does
 * a message too long to be any request (the server learns its flow but
 * not its content).
 */
#ifndef KV_H
#define KV_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "example.h"

#define KV_DEFAULT_PORT 31590
#define KV_KEY_MAX 64
#define KV_VAL_MAX 65536
#define KV_HDR_LEN 12
#define KV_REQ_MAX (KV_HDR_LEN + KV_KEY_MAX + KV_VAL_MAX)
#define KV_RESP_MAX (KV_HDR_LEN + KV_VAL_MAX)

enum kv_op { KV_GET = 1, KV_PUT = 2, KV_DEL = 3 };

enum kv_status {
	KV_OK = 0,
	KV_NOT_FOUND = 1,
	KV_BAD_REQUEST = 2,
	KV_NO_MEMORY = 3,
};

/* A request; key and val point into the message (or the caller's data). */
struct kv_req {
	uint8_t op;
	uint8_t key_len;
	uint32_t id;
	uint32_t val_len;
	const uint8_t *key;
	const uint8_t *val;
};

/* A response; val points into the message. */
struct kv_resp {
	uint8_t status;
	uint8_t op;
	uint32_t id;
	uint32_t val_len;
	const uint8_t *val;
};

struct kv_opts {
	const char *local;
	const char *remote; /* NULL: server */
	uint16_t port;
	uint32_t keys;
	uint32_t value_size;
	uint32_t flows;
	uint32_t window;
	uint32_t timeout_s;
	enum ex_idle idle;
};

/* kv_proto.c */
/* Writes the 12-byte header of r into buf. */
void kv_req_put_hdr(uint8_t *buf, const struct kv_req *r);
void kv_resp_put_hdr(uint8_t *buf, const struct kv_resp *r);
/*
 * Decodes a request of len bytes. false when it is malformed; then op and
 * id are what the message holds of them, as the response must carry.
 */
bool kv_req_parse(const uint8_t *buf, size_t len, struct kv_req *r);
/* false when the response is not as long as its header says. */
bool kv_resp_parse(const uint8_t *buf, size_t len, struct kv_resp *r);
const char *kv_status_name(uint8_t status);
const char *kv_op_name(uint8_t op);

/* kv.c */
void kv_die(const char *call);
void *kv_join(void);
extern volatile sig_atomic_t kv_stop;

/* kv_server.c and kv_client.c */
int kv_server(const struct kv_opts *o);
int kv_client(const struct kv_opts *o);

#endif /* KV_H */
