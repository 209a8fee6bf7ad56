/*
 * config.c: turns machnet.conf and --<section>.<key>=<value> overrides into
 * a struct mn_config. Everything is validated here, before the EAL starts,
 * so a typo stops machnetd with one line naming the key and where it came
 * from, instead of surfacing later as an odd failure deep inside DPDK.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "config.h"
#include "mn_state.h"
#include "mn_names.h"

#define CMDLINE_SRC "command line"
#define WHY_LEN 64
/* Longest value quoted in an error, so that the reason still fits. */
#define QUOTE_MAX 48

enum key_kind {
	KEY_UINT,     /* decimal in lo..hi */
	KEY_REAL,     /* decimal number in a struct real_range */
	KEY_POW2,     /* decimal power of two in lo..hi */
	KEY_HOST_IP,  /* an address a host can own */
	KEY_GATEWAY,  /* like KEY_HOST_IP, or 0.0.0.0 for none */
	KEY_NETMASK,
	KEY_MAC,
	KEY_IDLE,
	KEY_INSTANCE,
	KEY_TEXT,
};

/* Bounds of a KEY_REAL; an open end excludes the bound itself. */
struct real_range {
	double lo;
	double hi;
	bool lo_open;
	bool hi_open;
};

struct key_desc {
	const char *section;
	const char *name;
	enum key_kind kind;
	size_t off;
	size_t size;
	uint32_t lo;
	uint32_t hi;
	const struct real_range *real;
};

#define KEY(sec, key, kind, field, lo, hi) \
	{ sec, key, kind, offsetof(struct mn_config, field), \
	  RTE_SIZEOF_FIELD(struct mn_config, field), lo, hi, NULL }

#define REAL(sec, key, field, range) \
	{ sec, key, KEY_REAL, offsetof(struct mn_config, field), \
	  RTE_SIZEOF_FIELD(struct mn_config, field), 0, 0, &range }

static const struct real_range probability = { 0, 1, false, false };
static const struct real_range cc_ai_range = { 0.001, 1000, false, false };
/* 0 would turn the decrease off; max_mdf 1 could cut a window to nothing. */
static const struct real_range cc_beta_range = { 0, 1, true, false };
static const struct real_range cc_max_mdf_range = { 0, 1, true, true };
static const struct real_range cc_min_cwnd_range = { 0.001, 1, false, false };

/*
 * Upper bounds that config.h leaves open are generous but finite, so that
 * later unit conversions (to TSC cycles, to microseconds) cannot overflow.
 */
static const struct key_desc keys[] = {
	KEY("machnet", "instance", KEY_INSTANCE, instance, 0, 0),
	KEY("machnet", "eal_args", KEY_TEXT, eal_args, 0, 0),
	KEY("net", "ip", KEY_HOST_IP, ip, 0, 0),
	KEY("net", "netmask", KEY_NETMASK, netmask, 0, 0),
	KEY("net", "gateway", KEY_GATEWAY, gateway, 0, 0),
	KEY("net", "mac", KEY_MAC, mac, 0, 0),
	KEY("net", "mtu", KEY_UINT, mtu, 576, 9000),
	KEY("resources", "pool_size", KEY_UINT, pool_size, 4096, 1048575),
	KEY("resources", "ring_size", KEY_POW2, ring_size, 64, 65536),
	KEY("resources", "rx_desc", KEY_UINT, rx_desc, 64, 16384),
	KEY("resources", "tx_desc", KEY_UINT, tx_desc, 64, 16384),
	KEY("resources", "channels_per_process", KEY_UINT, channels_per_process,
	    1, MN_MAX_CHANNELS),
	KEY("resources", "channel_rx_share", KEY_UINT, channel_rx_share,
	    1, 1048575),
	KEY("resources", "flow_rx_share", KEY_UINT, flow_rx_share, 1, 1048575),
	KEY("resources", "channel_tx_share", KEY_UINT, channel_tx_share,
	    1, 1048575),
	KEY("resources", "flow_tx_share", KEY_UINT, flow_tx_share, 1, 1048575),
	KEY("resources", "flows", KEY_UINT, max_flows, 16, 1048576),
	KEY("engine", "idle", KEY_IDLE, idle_mode, 0, 0),
	KEY("engine", "idle_polls", KEY_UINT, idle_polls, 0, UINT32_MAX),
	KEY("engine", "idle_sleep_us", KEY_UINT, idle_sleep_us, 1, 1000000),
	KEY("transport", "connect_timeout_ms", KEY_UINT, connect_timeout_ms,
	    1, 3600000),
	KEY("transport", "syn_rto_ms", KEY_UINT, syn_rto_ms, 1, 60000),
	KEY("transport", "rto_us", KEY_UINT, rto_us, 1, 60000000),
	KEY("transport", "rto_min_us", KEY_UINT, rto_min_us, 1, 60000000),
	KEY("transport", "rto_max_us", KEY_UINT, rto_max_us, 1, 60000000),
	KEY("transport", "max_retries", KEY_UINT, max_retries, 1, 100),
	KEY("transport", "window", KEY_UINT, window, 1, 4096),
	KEY("transport", "ack_delay_us", KEY_UINT, ack_delay_us, 0, 10000),
	KEY("transport", "syn_backlog", KEY_UINT, syn_backlog, 1, 65535),
	KEY("transport", "half_open_max", KEY_UINT, half_open_max, 1, 1048576),
	KEY("transport", "half_open_timeout_ms", KEY_UINT, half_open_timeout_ms,
	    1, 60000),
	KEY("transport", "keepalive_ms", KEY_UINT, keepalive_ms, 0, 86400000),
	KEY("transport", "ephemeral_port_min", KEY_UINT, ephemeral_port_min,
	    1024, 65535),
	KEY("transport", "ephemeral_port_max", KEY_UINT, ephemeral_port_max,
	    1024, 65535),
	KEY("cc", "target_us", KEY_UINT, cc_target_us, 1, 10000000),
	KEY("cc", "fs_range_us", KEY_UINT, cc_fs_range_us, 0, 10000000),
	REAL("cc", "ai", cc_ai, cc_ai_range),
	REAL("cc", "beta", cc_beta, cc_beta_range),
	REAL("cc", "max_mdf", cc_max_mdf, cc_max_mdf_range),
	REAL("cc", "min_cwnd", cc_min_cwnd, cc_min_cwnd_range),
	REAL("fault", "rx_drop", fault_rx_drop, probability),
	REAL("fault", "rx_duplicate", fault_rx_duplicate, probability),
	REAL("fault", "rx_reorder", fault_rx_reorder, probability),
	REAL("fault", "rx_delay", fault_rx_delay, probability),
	REAL("fault", "tx_drop", fault_tx_drop, probability),
	REAL("fault", "tx_duplicate", fault_tx_duplicate, probability),
	REAL("fault", "tx_reorder", fault_tx_reorder, probability),
	REAL("fault", "tx_delay", fault_tx_delay, probability),
	KEY("fault", "delay_us", KEY_UINT, fault_delay_us, 1, 10000000),
	KEY("fault", "seed", KEY_UINT, fault_seed, 0, UINT32_MAX),
	KEY("arp", "retry_ms", KEY_UINT, arp_retry_ms, 1, 60000),
	KEY("arp", "retries", KEY_UINT, arp_retries, 1, 100),
	KEY("arp", "ageing_s", KEY_UINT, arp_ageing_s, 1, 86400),
};

#define STATIC_ARP_SECTION "arp_static"

static const char *const idle_names[] = {
	[MN_IDLE_SPIN] = "spin",
	[MN_IDLE_YIELD] = "yield",
	[MN_IDLE_SLEEP] = "sleep",
};

/* The state of one mn_config_load() call. */
struct loader {
	struct mn_config cfg;   /* copied out only when everything is valid */
	const char *src;        /* the file's path or CMDLINE_SRC */
	bool in_file;           /* a key twice in a file is a mistake */
	bool seen[RTE_DIM(keys)];
	bool overridden[RTE_DIM(keys)]; /* set on the command line */
	char *err;
};

const char *
mn_config_idle_name(enum mn_idle_mode mode)
{
	return idle_names[mode];
}

void
mn_config_defaults(struct mn_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->instance, sizeof(cfg->instance), "%s",
		 MN_INSTANCE_DEFAULT);
	cfg->netmask = UINT32_C(0xffffff00); /* 255.255.255.0 */
	cfg->mtu = 1500;
	cfg->pool_size = 65535;
	cfg->ring_size = 1024;
	cfg->channels_per_process = 16;
	cfg->channel_rx_share = 4096;
	cfg->flow_rx_share = 2048;
	cfg->channel_tx_share = 4096;
	cfg->flow_tx_share = 2048;
	cfg->max_flows = 4096;
	cfg->rx_desc = 1024;
	cfg->tx_desc = 1024;
	cfg->idle_mode = MN_IDLE_SPIN;
	cfg->idle_polls = 1;
	cfg->idle_sleep_us = 20;
	cfg->connect_timeout_ms = 1000;
	cfg->syn_rto_ms = 50;
	cfg->rto_us = 5000;
	cfg->rto_min_us = 1000;
	cfg->rto_max_us = 200000;
	cfg->max_retries = 20;
	cfg->window = 256;
	cfg->ack_delay_us = 50;
	cfg->syn_backlog = 128;
	cfg->half_open_max = 1024;
	cfg->half_open_timeout_ms = 1000;
	cfg->keepalive_ms = 10000;
	cfg->ephemeral_port_min = 49152;
	cfg->ephemeral_port_max = 65535;
	cfg->cc_target_us = 500;
	cfg->cc_fs_range_us = 2000;
	cfg->cc_ai = 1.0;
	cfg->cc_beta = 0.8;
	cfg->cc_max_mdf = 0.5;
	cfg->cc_min_cwnd = 0.01;
	cfg->fault_delay_us = 200;
	cfg->fault_seed = 1;
	cfg->arp_retry_ms = 100;
	cfg->arp_retries = 5;
	cfg->arp_ageing_s = 300;
}

/* Values come from users; a newline in one must not split the message. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

static int __rte_format_printf(2, 3)
fail(struct loader *ld, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ld->err == NULL)
		return -1;
	n = snprintf(ld->err, MN_CONFIG_ERR_LEN, "%s: ", ld->src);
	if (n >= 0 && n < MN_CONFIG_ERR_LEN) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, MN_CONFIG_ERR_LEN - n, fmt, ap);
		va_end(ap);
	}
	one_line(ld->err);
	return -1;
}

/* Fills a parser's reason for rejecting a value; returns -1 to pass on. */
static int __rte_format_printf(2, 3)
set_why(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

static int
bad_value(struct loader *ld, const char *section, const char *key,
	  const char *value, const char *why)
{
	const char *more = strlen(value) > QUOTE_MAX ? "..." : "";

	return fail(ld, "%s.%s: \"%.*s%s\" %s", section, key, QUOTE_MAX,
		    value, more, why);
}

static int
parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out,
	   char *why)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return set_why(why, "is not a number");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return set_why(why, "is not a number");
	if (errno == ERANGE || v < lo || v > hi)
		return set_why(why, "is not in %u..%u", lo, hi);
	*out = (uint32_t)v;
	return 0;
}

static int
real_range_why(const struct real_range *r, char *why)
{
	if (!r->lo_open && !r->hi_open)
		return set_why(why, "is not in %g..%g", r->lo, r->hi);
	return set_why(why, "is not %s %g and %s %g",
		       r->lo_open ? "above" : "at least", r->lo,
		       r->hi_open ? "below" : "at most", r->hi);
}

/*
 * A leading digit rules out blanks, signs, "inf" and "nan", and the
 * alphabet rules out strtod's hexadecimal form; an overflow to infinity
 * then fails the range check like any other large value.
 */
static int
parse_real(const char *s, const struct real_range *r, double *out, char *why)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]) ||
	    s[strspn(s, "0123456789.eE+-")] != '\0')
		return set_why(why, "is not a decimal number");
	v = strtod(s, &end);
	if (*end != '\0')
		return set_why(why, "is not a decimal number");
	if (v < r->lo || v > r->hi || (r->lo_open && v == r->lo) ||
	    (r->hi_open && v == r->hi))
		return real_range_why(r, why);
	*out = v;
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out, char *why)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return set_why(why, "is not an IPv4 address");
	*out = rte_be_to_cpu_32(a.s_addr);
	return 0;
}

/* Rules out what no interface can own: 0/8, loopback, multicast and up. */
static int
parse_host_ip(const char *s, uint32_t *out, char *why)
{
	uint32_t ip;

	if (parse_ipv4(s, &ip, why) < 0)
		return -1;
	if ((ip >> 24) == 0 || (ip >> 24) == 127 || (ip >> 28) >= 0xe)
		return set_why(why, "is not a unicast IPv4 address");
	*out = ip;
	return 0;
}

static int
parse_gateway(const char *s, uint32_t *out, char *why)
{
	if (strcmp(s, "0.0.0.0") == 0) {
		*out = 0;
		return 0;
	}
	return parse_host_ip(s, out, why);
}

static int
parse_netmask(const char *s, uint32_t *out, char *why)
{
	uint32_t m, inv;

	if (parse_ipv4(s, &m, why) < 0)
		return -1;
	inv = ~m;
	if ((inv & (inv + 1)) != 0)
		return set_why(why, "is not a netmask (ones, then zeros)");
	*out = m;
	return 0;
}

static int
parse_mac(const char *s, struct rte_ether_addr *out, char *why)
{
	struct rte_ether_addr mac;

	if (rte_ether_unformat_addr(s, &mac) != 0)
		return set_why(why, "is not a MAC address");
	if (!rte_is_valid_assigned_ether_addr(&mac))
		return set_why(why, "is not a unicast MAC address");
	*out = mac;
	return 0;
}

static int
parse_idle(const char *s, enum mn_idle_mode *out, char *why)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(idle_names); i++) {
		if (strcmp(s, idle_names[i]) == 0) {
			*out = (enum mn_idle_mode)i;
			return 0;
		}
	}
	return set_why(why, "is not one of spin, yield, sleep");
}

/* The instance becomes DPDK's --file-prefix, hence a file-name alphabet. */
static int
check_instance(const char *s, size_t size, char *why)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (n == 0 || s[n] != '\0' || n >= size)
		return set_why(why,
			       "is not 1..%zu characters of A-Z a-z 0-9 _ -",
			       size - 1);
	return 0;
}

static int
check_text(const char *s, size_t size, char *why)
{
	if (strlen(s) >= size)
		return set_why(why, "is longer than %zu characters", size - 1);
	return 0;
}

static void
store_uint(struct mn_config *cfg, const struct key_desc *k, uint32_t v)
{
	void *p = RTE_PTR_ADD(cfg, k->off);

	if (k->size == sizeof(uint16_t))
		*(uint16_t *)p = (uint16_t)v;
	else
		*(uint32_t *)p = v;
}

static int
parse_value(struct mn_config *cfg, const struct key_desc *k,
	    const char *value, char *why)
{
	void *p = RTE_PTR_ADD(cfg, k->off);
	uint32_t v = 0;
	int rc = 0;

	switch (k->kind) {
	case KEY_UINT:
		rc = parse_uint(value, k->lo, k->hi, &v, why);
		break;
	case KEY_REAL:
		return parse_real(value, k->real, p, why);
	case KEY_POW2:
		rc = parse_uint(value, k->lo, k->hi, &v, why);
		if (rc == 0 && !rte_is_power_of_2(v))
			rc = set_why(why, "is not a power of two");
		break;
	case KEY_HOST_IP:
		rc = parse_host_ip(value, &v, why);
		break;
	case KEY_GATEWAY:
		rc = parse_gateway(value, &v, why);
		break;
	case KEY_NETMASK:
		rc = parse_netmask(value, &v, why);
		break;
	case KEY_MAC:
		rc = parse_mac(value, p, why);
		cfg->mac_set = cfg->mac_set || rc == 0;
		return rc;
	case KEY_IDLE:
		return parse_idle(value, p, why);
	case KEY_INSTANCE:
	case KEY_TEXT:
		rc = k->kind == KEY_INSTANCE ? check_instance(value, k->size, why) :
			check_text(value, k->size, why);
		if (rc == 0)
			memcpy(p, value, strlen(value) + 1);
		return rc;
	}
	if (rc == 0)
		store_uint(cfg, k, v);
	return rc;
}

static const struct key_desc *
find_key(const char *section, const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool
section_known(const char *section)
{
	unsigned int i;

	if (strcmp(section, STATIC_ARP_SECTION) == 0)
		return true;
	for (i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, section) == 0)
			return true;
	return false;
}

/* A file names each neighbour once; the command line may replace it. */
static int
apply_static_arp(struct loader *ld, const char *ip_str, const char *mac_str)
{
	struct mn_config *cfg = &ld->cfg;
	struct rte_ether_addr mac;
	char why[WHY_LEN];
	unsigned int i;
	uint32_t ip;

	if (parse_host_ip(ip_str, &ip, why) < 0)
		return bad_value(ld, STATIC_ARP_SECTION, ip_str, ip_str, why);
	if (parse_mac(mac_str, &mac, why) < 0)
		return bad_value(ld, STATIC_ARP_SECTION, ip_str, mac_str, why);
	for (i = 0; i < cfg->n_static_arp; i++)
		if (cfg->static_arp[i].ip == ip)
			break;
	if (i < cfg->n_static_arp && ld->in_file)
		return fail(ld, "%s.%s: is set twice", STATIC_ARP_SECTION,
			    ip_str);
	if (i == MN_CONFIG_MAX_STATIC_ARP)
		return fail(ld, "%s.%s: too many static ARP entries (at most %d)",
			    STATIC_ARP_SECTION, ip_str,
			    MN_CONFIG_MAX_STATIC_ARP);
	if (i == cfg->n_static_arp)
		cfg->n_static_arp++;
	cfg->static_arp[i].ip = ip;
	cfg->static_arp[i].mac = mac;
	return 0;
}

static int
apply(struct loader *ld, const char *section, const char *name,
      const char *value)
{
	const struct key_desc *k;
	char why[WHY_LEN];

	if (strcmp(section, STATIC_ARP_SECTION) == 0)
		return apply_static_arp(ld, name, value);
	if (!section_known(section))
		return fail(ld, "%s.%s: unknown section [%s]", section, name,
			    section);
	k = find_key(section, name);
	if (k == NULL)
		return fail(ld, "%s.%s: unknown key", section, name);
	if (ld->in_file) {
		if (ld->seen[k - keys])
			return fail(ld, "%s.%s: is set twice", section, name);
		ld->seen[k - keys] = true;
	} else {
		ld->overridden[k - keys] = true;
	}
	if (parse_value(&ld->cfg, k, value, why) < 0)
		return bad_value(ld, section, name, value, why);
	return 0;
}

/* Cuts the line at a comment the way rte_cfgfile does ("\;" escapes). */
static void
strip_comment(char *line)
{
	char *c = strchr(line, CFG_DEFAULT_COMMENT_CHARACTER);

	if (c != NULL && (c == line || c[-1] != '\\'))
		*c = '\0';
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int
check_key_line(char *p, bool in_section, char *why)
{
	char *eq = strchr(p, '=');
	const char *key, *value;

	if (eq == NULL)
		return set_why(why, "expected [section] or key = value");
	if (!in_section)
		return set_why(why, "key = value before any [section]");
	*eq = '\0';
	key = trim(p);
	value = trim(eq + 1);
	if (*key == '\0')
		return set_why(why, "the key is empty");
	if (strlen(key) >= CFG_NAME_LEN)
		return set_why(why, "the key is longer than %d characters",
			       CFG_NAME_LEN - 1);
	if (*value == '\0')
		return set_why(why, "the value of %s is empty", key);
	if (strlen(value) >= CFG_VALUE_LEN)
		return set_why(why, "the value is longer than %d characters",
			       CFG_VALUE_LEN - 1);
	return 0;
}

/*
 * Says what is wrong with one line, or returns 0. rte_cfgfile rejects some
 * of these without saying why, silently skips lines without '=' and cuts
 * long names and values short: all of that is caught here first.
 */
static int
check_line(char *line, size_t cap, bool *in_section, char *why)
{
	size_t len = strlen(line);
	char *p;

	if (len >= cap - 1 && line[len - 1] != '\n')
		return set_why(why, "the line is longer than %zu characters",
			       cap - 2);
	strip_comment(line);
	p = trim(line);
	if (*p != '[')
		return *p == '\0' ? 0 : check_key_line(p, *in_section, why);
	len = strlen(p);
	if (p[len - 1] != ']')
		return set_why(why, "expected [section]");
	if (len - 2 >= CFG_NAME_LEN)
		return set_why(why, "the section name is too long");
	*in_section = true;
	return 0;
}

static int
check_syntax(struct loader *ld, FILE *f)
{
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	bool in_section = false;
	char why[WHY_LEN];
	int lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (check_line(line, sizeof(line), &in_section, why) != 0)
			return fail(ld, "line %d: %s", lineno, why);
	}
	if (ferror(f))
		return fail(ld, "cannot read the file (%s)", strerror(errno));
	return 0;
}

static int
apply_section(struct loader *ld, struct rte_cfgfile *file, int idx)
{
	char section[CFG_NAME_LEN];
	struct rte_cfgfile_entry *e;
	int n, i, rc = 0;

	n = rte_cfgfile_section_num_entries_by_index(file, section, idx);
	if (!section_known(section))
		return fail(ld, "[%s]: unknown section", section);
	if (n <= 0)
		return 0;
	e = malloc(sizeof(*e) * n);
	if (e == NULL)
		return fail(ld, "[%s]: out of memory", section);
	n = rte_cfgfile_section_entries_by_index(file, idx, section, e, n);
	for (i = 0; i < n && rc == 0; i++)
		rc = apply(ld, section, e[i].name, e[i].value);
	free(e);
	return rc;
}

/* Walks sections by index: a repeated [section] is merged, not lost. */
static int
apply_file(struct loader *ld, struct rte_cfgfile *file)
{
	int n = rte_cfgfile_num_sections(file, NULL, 0);
	int i;

	for (i = 0; i < n; i++)
		if (apply_section(ld, file, i) < 0)
			return -1;
	return 0;
}

static int
load_file(struct loader *ld, const char *path)
{
	struct rte_cfgfile *file;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL)
		return fail(ld, "cannot read the file (%s)", strerror(errno));
	rc = check_syntax(ld, f);
	fclose(f);
	if (rc < 0)
		return -1;
	file = rte_cfgfile_load(path, 0);
	if (file == NULL)
		return fail(ld, "cannot parse the file");
	rc = apply_file(ld, file);
	rte_cfgfile_close(file);
	return rc;
}

static int
apply_override(struct loader *ld, const char *arg)
{
	char section[CFG_NAME_LEN], name[CFG_NAME_LEN];
	const char *eq, *dot;

	eq = strchr(arg, '=');
	dot = eq == NULL ? NULL : memchr(arg, '.', eq - arg);
	if (dot == NULL || dot == arg || dot + 1 == eq)
		return fail(ld, "\"%.*s\": expected <section>.<key>=<value>",
			    QUOTE_MAX, arg);
	if ((size_t)(dot - arg) >= sizeof(section) ||
	    (size_t)(eq - dot - 1) >= sizeof(name))
		return fail(ld, "%.*s: unknown key", QUOTE_MAX, arg);
	memcpy(section, arg, dot - arg);
	section[dot - arg] = '\0';
	memcpy(name, dot + 1, eq - dot - 1);
	name[eq - dot - 1] = '\0';
	return apply(ld, section, name, eq + 1);
}

static int
apply_overrides(struct loader *ld, char *const overrides[], int n)
{
	int i;

	ld->src = CMDLINE_SRC;
	ld->in_file = false;
	for (i = 0; i < n; i++) {
		if (overrides[i] == NULL)
			return fail(ld, "override %d is missing", i);
		if (apply_override(ld, overrides[i]) < 0)
			return -1;
	}
	return 0;
}

/*
 * A pair of [transport] keys that bound a range must not cross. The
 * command line comes last, so it is to blame if it set either of them.
 */
static int
check_range(struct loader *ld, const char *path, const char *lo_name,
	    uint32_t lo_val, const char *hi_name, uint32_t hi_val)
{
	const struct key_desc *lo = find_key("transport", lo_name);
	const struct key_desc *hi = find_key("transport", hi_name);

	if (lo_val <= hi_val)
		return 0;
	ld->src = ld->overridden[lo - keys] || ld->overridden[hi - keys] ?
		CMDLINE_SRC : path;
	return fail(ld, "transport.%s: %u is above transport.%s (%u)",
		    lo_name, lo_val, hi_name, hi_val);
}

/* rto_us is only where the timeout starts, so it may lie outside them. */
static int
check_ranges(struct loader *ld, const char *path)
{
	const struct mn_config *c = &ld->cfg;

	if (check_range(ld, path, "rto_min_us", c->rto_min_us, "rto_max_us",
			c->rto_max_us) < 0)
		return -1;
	return check_range(ld, path, "ephemeral_port_min", c->ephemeral_port_min,
			   "ephemeral_port_max", c->ephemeral_port_max);
}

int
mn_config_load(struct mn_config *cfg, const char *path,
	       char *const overrides[], int n_overrides,
	       char err[MN_CONFIG_ERR_LEN])
{
	struct loader ld = { .src = path != NULL ? path : CMDLINE_SRC,
			     .err = err };

	if (err != NULL)
		err[0] = '\0';
	if (cfg == NULL || n_overrides < 0 ||
	    (n_overrides > 0 && overrides == NULL))
		return fail(&ld, "mn_config_load: invalid arguments");
	mn_config_defaults(&ld.cfg);
	if (path != NULL) {
		ld.in_file = true;
		if (load_file(&ld, path) < 0)
			return -1;
	}
	if (apply_overrides(&ld, overrides, n_overrides) < 0)
		return -1;
	if (ld.cfg.ip == 0) {
		ld.src = path != NULL ? path : CMDLINE_SRC;
		return fail(&ld, "net.ip: is required (this host's address)");
	}
	if (check_ranges(&ld, path) < 0)
		return -1;
	*cfg = ld.cfg;
	return 0;
}

static uint32_t
load_uint(const struct mn_config *cfg, const struct key_desc *k)
{
	const void *p = RTE_PTR_ADD(cfg, k->off);

	return k->size == sizeof(uint16_t) ? *(const uint16_t *)p :
	       *(const uint32_t *)p;
}

static void
print_ip(FILE *out, uint32_t ip)
{
	fprintf(out, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		ip & 255);
}

/* One key's value as the configuration file would give it (read back, it
 * gives the same configuration). */
static void
print_value(FILE *out, const struct mn_config *cfg, const struct key_desc *k)
{
	const void *p = RTE_PTR_ADD(cfg, k->off);

	switch (k->kind) {
	case KEY_UINT:
	case KEY_POW2:
		fprintf(out, "%u", load_uint(cfg, k));
		break;
	case KEY_REAL:
		fprintf(out, "%g", *(const double *)p);
		break;
	case KEY_HOST_IP:
	case KEY_GATEWAY:
	case KEY_NETMASK:
		print_ip(out, load_uint(cfg, k));
		break;
	case KEY_MAC:
		fprintf(out, RTE_ETHER_ADDR_PRT_FMT,
			RTE_ETHER_ADDR_BYTES((const struct rte_ether_addr *)p));
		break;
	case KEY_IDLE:
		fprintf(out, "%s", mn_config_idle_name(*(const enum mn_idle_mode *)p));
		break;
	case KEY_INSTANCE:
	case KEY_TEXT:
		fprintf(out, "%s", (const char *)p);
		break;
	}
}

void
mn_config_print(const struct mn_config *cfg, FILE *out)
{
	const char *section = NULL;
	size_t i;

	for (i = 0; i < RTE_DIM(keys); i++) {
		const struct key_desc *k = &keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			fprintf(out, "%s[%s]\n", section == NULL ? "" : "\n",
				k->section);
			section = k->section;
		}
		if (k->kind == KEY_MAC && !cfg->mac_set) {
			fprintf(out, "; %s: the port's own\n", k->name);
			continue;
		}
		if (k->kind == KEY_TEXT && *(const char *)RTE_PTR_ADD(cfg, k->off) == '\0') {
			fprintf(out, "; %s: none\n", k->name);
			continue;
		}
		fprintf(out, "%s = ", k->name);
		print_value(out, cfg, k);
		fputc('\n', out);
	}
}
