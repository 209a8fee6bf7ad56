/*
 * test_config.c: machnetd's configuration loader. A bad configuration must
 * stop machnetd with one line naming the key and its source, and a good
 * one (the shipped file above all) must come through unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char conf_path[64];

/* RTE_IPV4 shifts an int, which overflows for the first byte >= 128. */
static uint32_t
ipv4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

/* Each test runs in its own process (Check forks), so one path is enough. */
static const char *
write_conf(const char *text)
{
	FILE *f;
	int fd;

	snprintf(conf_path, sizeof(conf_path), "/tmp/mn_test_config_XXXXXX");
	fd = mkstemp(conf_path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return conf_path;
}

/* Loads text as a file; the file is gone again when this returns. */
static int
load_text(const char *text, char *const ov[], int n, struct mn_config *cfg,
	  char *err)
{
	const char *path = write_conf(text);
	int rc = mn_config_load(cfg, path, ov, n, err);

	unlink(path);
	return rc;
}

static void
assert_one_line_error(const char *err, const char *key, const char *src)
{
	ck_assert_msg(strstr(err, key) != NULL, "\"%s\" lacks %s", err, key);
	ck_assert_msg(strstr(err, src) != NULL, "\"%s\" lacks %s", err, src);
	ck_assert_msg(strchr(err, '\n') == NULL, "\"%s\" is not one line", err);
}

static void
assert_mac(const struct rte_ether_addr *mac, const char *want)
{
	char got[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(got, sizeof(got), mac);
	ck_assert_str_eq(got, want);
}

static const char *
shipped_conf_path(void)
{
	static char path[4096];
	const char *dir = getenv("MN_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/config/machnet.conf",
		 dir != NULL ? dir : ".");
	return path;
}

/* Everything but ip and eal_args, which the shipped file has to set. */
static void
assert_default_values(const struct mn_config *c)
{
	ck_assert_str_eq(c->instance, "machnet");
	ck_assert_uint_eq(c->netmask, ipv4(255, 255, 255, 0));
	ck_assert_uint_eq(c->gateway, 0);
	ck_assert(!c->mac_set);
	ck_assert_uint_eq(c->mtu, 1500);
	ck_assert_uint_eq(c->pool_size, 65535);
	ck_assert_uint_eq(c->ring_size, 1024);
	ck_assert_uint_eq(c->rx_desc, 1024);
	ck_assert_uint_eq(c->tx_desc, 1024);
	ck_assert_uint_eq(c->channels_per_process, 16);
	ck_assert_uint_eq(c->channel_rx_share, 4096);
	ck_assert_uint_eq(c->flow_rx_share, 2048);
	ck_assert_uint_eq(c->channel_tx_share, 4096);
	ck_assert_uint_eq(c->flow_tx_share, 2048);
	ck_assert_uint_eq(c->max_flows, 4096);
	ck_assert_uint_eq(c->syn_backlog, 128);
	ck_assert_uint_eq(c->half_open_max, 1024);
	ck_assert_uint_eq(c->half_open_timeout_ms, 1000);
	ck_assert_uint_eq(c->keepalive_ms, 10000);
	ck_assert_uint_eq(c->ephemeral_port_min, 49152);
	ck_assert_uint_eq(c->ephemeral_port_max, 65535);
	ck_assert_int_eq(c->idle_mode, MN_IDLE_SPIN);
	ck_assert_uint_eq(c->idle_polls, 1);
	ck_assert_uint_eq(c->idle_sleep_us, 20);
	ck_assert_uint_eq(c->connect_timeout_ms, 1000);
	ck_assert_uint_eq(c->syn_rto_ms, 50);
	ck_assert_uint_eq(c->rto_us, 5000);
	ck_assert_uint_eq(c->rto_min_us, 1000);
	ck_assert_uint_eq(c->rto_max_us, 200000);
	ck_assert_uint_eq(c->max_retries, 20);
	ck_assert_uint_eq(c->ack_delay_us, 50);
	ck_assert_uint_eq(c->window, 256);
	ck_assert_uint_eq(c->cc_target_us, 500);
	ck_assert_uint_eq(c->cc_fs_range_us, 2000);
	ck_assert_double_eq(c->cc_ai, 1.0);
	ck_assert_double_eq(c->cc_beta, 0.8);
	ck_assert_double_eq(c->cc_max_mdf, 0.5);
	ck_assert_double_eq(c->cc_min_cwnd, 0.01);
	ck_assert_double_eq(c->fault_rx_drop, 0);
	ck_assert_double_eq(c->fault_rx_duplicate, 0);
	ck_assert_double_eq(c->fault_rx_reorder, 0);
	ck_assert_double_eq(c->fault_rx_delay, 0);
	ck_assert_double_eq(c->fault_tx_drop, 0);
	ck_assert_double_eq(c->fault_tx_duplicate, 0);
	ck_assert_double_eq(c->fault_tx_reorder, 0);
	ck_assert_double_eq(c->fault_tx_delay, 0);
	ck_assert_uint_eq(c->fault_delay_us, 200);
	ck_assert_uint_eq(c->fault_seed, 1);
	ck_assert_uint_eq(c->arp_retry_ms, 100);
	ck_assert_uint_eq(c->arp_retries, 5);
	ck_assert_uint_eq(c->arp_ageing_s, 300);
	ck_assert_uint_eq(c->n_static_arp, 0);
}

START_TEST(test_defaults)
{
	struct mn_config c;

	memset(&c, 0xa5, sizeof(c));
	mn_config_defaults(&c);
	assert_default_values(&c);
	ck_assert_uint_eq(c.ip, 0);
	ck_assert_str_eq(c.eal_args, "");
}
END_TEST

static const char full_conf[] =
	"; every key, none at its default\n"
	"[machnet]\n"
	"instance = host-b_2\n"
	"eal_args = --no-pci -l 2,3 --vdev=net_af_packet0,iface=veth1\n"
	"[net]\n"
	"ip = 192.168.7.20\n"
	"netmask = 255.255.0.0\n"
	"gateway = 192.168.0.1\n"
	"mac = 02:aa:bb:cc:dd:ee\n"
	"mtu = 9000   ; jumbo\n"
	"[resources]\n"
	"pool_size = 8191\n"
	"ring_size = 4096\n"
	"rx_desc = 512\n"
	"tx_desc = 2048\n"
	"[engine]\n"
	"idle = sleep\n"
	"idle_polls = 0\n"
	"idle_sleep_us = 75\n"
	"[transport]\n"
	"connect_timeout_ms = 2500\n"
	"syn_rto_ms = 20\n"
	"rto_us = 800\n"
	"rto_min_us = 300\n"
	"rto_max_us = 900000\n"
	"max_retries = 3\n"
	"window = 4096\n"
	"syn_backlog = 16\n"
	"half_open_max = 64\n"
	"half_open_timeout_ms = 250\n"
	"keepalive_ms = 0\n"
	"ephemeral_port_min = 20000\n"
	"ephemeral_port_max = 20999\n"
	"[cc]\n"
	"target_us = 50\n"
	"fs_range_us = 0\n"
	"ai = 2.5\n"
	"beta = 1\n"
	"max_mdf = 0.25\n"
	"min_cwnd = 0.001\n"
	"[fault]\n"
	"rx_drop = 0.05\n"
	"rx_duplicate = 0.01\n"
	"rx_reorder = 0.125\n"
	"rx_delay = 1\n"
	"tx_drop = 1.0\n"
	"tx_duplicate = 0.5\n"
	"tx_reorder = 2e-1\n"
	"tx_delay = 0.0001\n"
	"delay_us = 10000000\n"
	"seed = 4294967295\n"
	"[arp]\n"
	"retry_ms = 30\n"
	"retries = 9\n"
	"ageing_s = 60\n"
	"[arp_static]\n"
	"192.168.7.21 = 02:00:00:00:00:21\n"
	"10.1.2.3 = 02:00:00:00:01:02\n";

START_TEST(test_full_file)
{
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(load_text(full_conf, NULL, 0, &c, err) == 0, "%s", err);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c.instance, "host-b_2");
	ck_assert_str_eq(c.eal_args,
			 "--no-pci -l 2,3 --vdev=net_af_packet0,iface=veth1");
	ck_assert_uint_eq(c.ip, 0xc0a80714); /* host byte order */
	ck_assert_uint_eq(c.netmask, 0xffff0000);
	ck_assert_uint_eq(c.gateway, ipv4(192, 168, 0, 1));
	ck_assert(c.mac_set);
	assert_mac(&c.mac, "02:AA:BB:CC:DD:EE");
	ck_assert_uint_eq(c.mtu, 9000);
	ck_assert_uint_eq(c.pool_size, 8191);
	ck_assert_uint_eq(c.ring_size, 4096);
	ck_assert_uint_eq(c.rx_desc, 512);
	ck_assert_uint_eq(c.tx_desc, 2048);
	ck_assert_int_eq(c.idle_mode, MN_IDLE_SLEEP);
	ck_assert_uint_eq(c.idle_polls, 0);
	ck_assert_uint_eq(c.idle_sleep_us, 75);
	ck_assert_uint_eq(c.connect_timeout_ms, 2500);
	ck_assert_uint_eq(c.syn_rto_ms, 20);
	ck_assert_uint_eq(c.rto_us, 800);
	ck_assert_uint_eq(c.rto_min_us, 300);
	ck_assert_uint_eq(c.rto_max_us, 900000);
	ck_assert_uint_eq(c.max_retries, 3);
	ck_assert_uint_eq(c.window, 4096);
	ck_assert_uint_eq(c.syn_backlog, 16);
	ck_assert_uint_eq(c.half_open_max, 64);
	ck_assert_uint_eq(c.half_open_timeout_ms, 250);
	ck_assert_uint_eq(c.keepalive_ms, 0);
	ck_assert_uint_eq(c.ephemeral_port_min, 20000);
	ck_assert_uint_eq(c.ephemeral_port_max, 20999);
	ck_assert_uint_eq(c.cc_target_us, 50);
	ck_assert_uint_eq(c.cc_fs_range_us, 0);
	ck_assert_double_eq(c.cc_ai, 2.5);
	ck_assert_double_eq(c.cc_beta, 1);
	ck_assert_double_eq(c.cc_max_mdf, 0.25);
	ck_assert_double_eq(c.cc_min_cwnd, 0.001);
	ck_assert_double_eq(c.fault_rx_drop, 0.05);
	ck_assert_double_eq(c.fault_rx_duplicate, 0.01);
	ck_assert_double_eq(c.fault_rx_reorder, 0.125);
	ck_assert_double_eq(c.fault_rx_delay, 1);
	ck_assert_double_eq(c.fault_tx_drop, 1);
	ck_assert_double_eq(c.fault_tx_duplicate, 0.5);
	ck_assert_double_eq(c.fault_tx_reorder, 0.2);
	ck_assert_double_eq(c.fault_tx_delay, 0.0001);
	ck_assert_uint_eq(c.fault_delay_us, 10000000);
	ck_assert_uint_eq(c.fault_seed, UINT32_MAX);
	ck_assert_uint_eq(c.arp_retry_ms, 30);
	ck_assert_uint_eq(c.arp_retries, 9);
	ck_assert_uint_eq(c.arp_ageing_s, 60);
	ck_assert_uint_eq(c.n_static_arp, 2);
	ck_assert_uint_eq(c.static_arp[0].ip, ipv4(192, 168, 7, 21));
	assert_mac(&c.static_arp[0].mac, "02:00:00:00:00:21");
	ck_assert_uint_eq(c.static_arp[1].ip, ipv4(10, 1, 2, 3));
	assert_mac(&c.static_arp[1].mac, "02:00:00:00:01:02");
}
END_TEST

/* The shipped file documents the defaults, so it must repeat them. */
START_TEST(test_shipped_file)
{
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(mn_config_load(&c, shipped_conf_path(), NULL, 0, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.ip, ipv4(10, 99, 0, 1));
	ck_assert_ptr_nonnull(strstr(c.eal_args, "--no-pci"));
	assert_default_values(&c);
}
END_TEST

START_TEST(test_overrides_win)
{
	char *ov[] = { "net.mtu=1400", "engine.idle=yield",
		       "machnet.eal_args=--no-pci --vdev=net_null0,size=64",
		       "net.mtu=1450" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(load_text("[net]\nip = 10.0.0.1\nmtu = 9000\n"
				"[engine]\nidle = sleep\n",
				ov, 4, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.ip, ipv4(10, 0, 0, 1));
	ck_assert_uint_eq(c.mtu, 1450);
	ck_assert_int_eq(c.idle_mode, MN_IDLE_YIELD);
	ck_assert_str_eq(c.eal_args, "--no-pci --vdev=net_null0,size=64");
}
END_TEST

/* What mn_config_print writes of c (machnetd --check). */
static char *
printed(const struct mn_config *c)
{
	static char buf[2][8192];
	static int which;
	char *b = buf[which++ & 1];
	FILE *f = fmemopen(b, sizeof(buf[0]), "w");

	ck_assert_ptr_nonnull(f);
	mn_config_print(c, f);
	ck_assert_int_eq(fclose(f), 0);
	return b;
}

START_TEST(test_printed_config_reads_back_the_same)
{
	char *ov[] = { "net.ip=10.0.0.7", "net.gateway=10.0.0.1",
		       "net.mac=02:00:00:00:00:07", "net.mtu=9000",
		       "engine.idle=yield", "cc.beta=0.5", "fault.rx_drop=0.25",
		       "machnet.instance=hostq" };
	struct mn_config c, again;
	char err[MN_CONFIG_ERR_LEN], *text;

	ck_assert_msg(mn_config_load(&c, NULL, ov, RTE_DIM(ov), err) == 0, "%s", err);
	text = printed(&c);
	ck_assert_ptr_nonnull(strstr(text, "[net]\nip = 10.0.0.7\n"));
	ck_assert_ptr_nonnull(strstr(text, "mac = 02:00:00:00:00:07\n"));
	ck_assert_ptr_nonnull(strstr(text, "idle = yield\n"));
	ck_assert_ptr_nonnull(strstr(text, "beta = 0.5\n"));
	ck_assert_msg(load_text(text, NULL, 0, &again, err) == 0, "%s", err);
	ck_assert_str_eq(printed(&again), text);
	ck_assert_uint_eq(again.gateway, ipv4(10, 0, 0, 1));
	ck_assert(again.mac_set);
	/* A port's own address is not a value: it stays unset. */
	ck_assert_msg(mn_config_load(&c, NULL, ov, 1, err) == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(printed(&c), "; mac: the port's own\n"));
	ck_assert_msg(load_text(printed(&c), NULL, 0, &again, err) == 0, "%s", err);
	ck_assert(!again.mac_set);
}
END_TEST

START_TEST(test_overrides_without_file)
{
	char *ov[] = { "net.ip=10.0.0.9", "machnet.instance=b",
		       "machnet.eal_args=" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(mn_config_load(&c, NULL, ov, 3, err) == 0, "%s", err);
	ck_assert_uint_eq(c.ip, ipv4(10, 0, 0, 9));
	ck_assert_str_eq(c.instance, "b");
	ck_assert_str_eq(c.eal_args, "");
	ck_assert_uint_eq(c.mtu, 1500);
}
END_TEST

START_TEST(test_repeated_section_merges)
{
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(load_text("[net]\nip = 10.0.0.1\n[engine]\nidle = yield\n"
				"[net]\nmtu = 9000\n", NULL, 0, &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.mtu, 9000);
	ck_assert_int_eq(c.idle_mode, MN_IDLE_YIELD);
}
END_TEST

START_TEST(test_static_arp)
{
	char *ov[] = { "arp_static.10.0.0.5=02:00:00:00:00:05",
		       "arp_static.10.0.0.2=02:00:00:00:00:22" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(load_text("[net]\nip = 10.0.0.1\n[arp_static]\n"
				"10.0.0.2 = 02:00:00:00:00:02\n"
				"10.0.0.3 = 0200:0000:0003\n",
				ov, 2, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_static_arp, 3);
	ck_assert_uint_eq(c.static_arp[0].ip, ipv4(10, 0, 0, 2));
	assert_mac(&c.static_arp[0].mac, "02:00:00:00:00:22");
	ck_assert_uint_eq(c.static_arp[1].ip, ipv4(10, 0, 0, 3));
	assert_mac(&c.static_arp[1].mac, "02:00:00:00:00:03");
	ck_assert_uint_eq(c.static_arp[2].ip, ipv4(10, 0, 0, 5));
	assert_mac(&c.static_arp[2].mac, "02:00:00:00:00:05");
}
END_TEST

static void
append_static_arp(char *buf, size_t size, unsigned int n)
{
	unsigned int i;
	size_t len;

	for (i = 1; i <= n; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "10.0.1.%u = 02:00:00:00:01:%02x\n",
			 i, i);
	}
}

START_TEST(test_static_arp_limit)
{
	char text[4096] = "[net]\nip = 10.0.0.1\n[arp_static]\n";
	char *ov[] = { "arp_static.10.0.2.1=02:00:00:00:02:01" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	append_static_arp(text, sizeof(text), MN_CONFIG_MAX_STATIC_ARP);
	ck_assert_msg(load_text(text, NULL, 0, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_static_arp, MN_CONFIG_MAX_STATIC_ARP);
	ck_assert_int_eq(load_text(text, ov, 1, &c, err), -1);
	assert_one_line_error(err, "arp_static.10.0.2.1: too many", "command line");
	strcat(text, "10.0.3.1 = 02:00:00:00:03:01\n");
	ck_assert_int_eq(load_text(text, NULL, 0, &c, err), -1);
	assert_one_line_error(err, "arp_static.10.0.3.1: too many", conf_path);
}
END_TEST

/* A bad configuration leaves the caller's struct as it was. */
START_TEST(test_failure_keeps_cfg)
{
	char *ov[] = { "net.ip=10.0.0.1", "net.mtu=70000" };
	struct mn_config c, before;
	char err[MN_CONFIG_ERR_LEN];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	ck_assert_int_eq(mn_config_load(&c, NULL, ov, 2, err), -1);
	ck_assert_int_eq(memcmp(&c, &before, sizeof(c)), 0);
	ck_assert_str_eq(err, "command line: net.mtu: \"70000\" is not in 576..9000");
}
END_TEST

/*
 * Each bad input, as a file (source: its path) or as an override (source:
 * "command line"), and what the error must name.
 */
struct bad_case {
	const char *file;
	char *override;
	const char *needle;
};

#define GOOD_NET "[net]\nip = 10.0.0.1\n"
#define LONG_61 "1234567890123456789012345678901234567890123456789012345678901"

static const struct bad_case bad_cases[] = {
	{ GOOD_NET "speed = 10\n", NULL, "net.speed" },
	{ NULL, "net.speed=10", "net.speed" },
	{ GOOD_NET "[bogus]\nx = 1\n", NULL, "bogus" },
	{ GOOD_NET "[bogus]\n", NULL, "bogus" },
	{ NULL, "bogus.x=1", "bogus.x" },
	{ "[net]\nip = 10.0.0.300\n", NULL, "net.ip" },
	{ NULL, "net.ip=10.0.0.300", "net.ip: \"10.0.0.300\" is not an IPv4" },
	{ NULL, "net.ip=0.0.0.0", "net.ip" },
	{ NULL, "net.ip=224.0.0.1", "net.ip" },
	{ NULL, "net.ip=127.0.0.1", "net.ip" },
	{ NULL, "net.ip= 10.0.0.1", "net.ip" },
	{ GOOD_NET "netmask = 255.0.255.0\n", NULL, "net.netmask" },
	{ NULL, "net.netmask=24", "net.netmask" },
	{ NULL, "net.gateway=255.255.255.255", "net.gateway" },
	{ GOOD_NET "mac = 02:00:00:00:00\n", NULL, "net.mac" },
	{ NULL, "net.mac=01:00:5e:00:00:01", "net.mac" },
	{ NULL, "net.mac=00:00:00:00:00:00", "net.mac" },
	{ NULL, "net.mac=02:00:00:00:00:01:", "net.mac" },
	{ GOOD_NET "mtu = 70000\n", NULL, "net.mtu: \"70000\" is not in 576..9000" },
	{ NULL, "net.mtu=575", "net.mtu" },
	{ NULL, "net.mtu=9001", "net.mtu" },
	{ NULL, "net.mtu=-1500", "net.mtu" },
	{ NULL, "net.mtu=1500x", "net.mtu" },
	{ NULL, "net.mtu=0x5dc", "net.mtu" },
	{ NULL, "net.mtu=", "net.mtu" },
	{ NULL, "net.mtu=99999999999999999999999", "net.mtu" },
	{ GOOD_NET "[resources]\nring_size = 1000\n", NULL,
	  "resources.ring_size: \"1000\" is not a power of two" },
	{ NULL, "resources.ring_size=32", "resources.ring_size" },
	{ NULL, "resources.ring_size=131072", "resources.ring_size" },
	{ NULL, "resources.pool_size=4095", "resources.pool_size" },
	{ NULL, "resources.pool_size=1048576", "resources.pool_size" },
	{ NULL, "resources.rx_desc=63", "resources.rx_desc" },
	{ NULL, "resources.tx_desc=16385", "resources.tx_desc" },
	{ NULL, "resources.channels_per_process=0",
	  "resources.channels_per_process" },
	{ NULL, "resources.channels_per_process=65",
	  "resources.channels_per_process" },
	{ GOOD_NET "[engine]\nidle = busy\n", NULL, "engine.idle" },
	{ NULL, "engine.idle=SPIN", "engine.idle" },
	{ NULL, "engine.idle_sleep_us=0", "engine.idle_sleep_us" },
	{ NULL, "transport.connect_timeout_ms=0", "transport.connect_timeout_ms" },
	{ NULL, "transport.syn_rto_ms=0", "transport.syn_rto_ms" },
	{ NULL, "transport.rto_us=0", "transport.rto_us" },
	{ NULL, "transport.window=0", "transport.window" },
	{ NULL, "transport.window=4097", "transport.window" },
	{ NULL, "resources.channel_rx_share=0", "resources.channel_rx_share" },
	{ NULL, "resources.flow_rx_share=1048576", "resources.flow_rx_share" },
	{ NULL, "resources.channel_tx_share=0", "resources.channel_tx_share" },
	{ NULL, "resources.flow_tx_share=0", "resources.flow_tx_share" },
	{ NULL, "resources.flows=15", "resources.flows" },
	{ NULL, "resources.flows=1048577", "resources.flows" },
	{ NULL, "transport.rto_min_us=0", "transport.rto_min_us" },
	{ NULL, "transport.rto_min_us=60000001", "transport.rto_min_us" },
	{ NULL, "transport.rto_max_us=0", "transport.rto_max_us" },
	{ NULL, "transport.rto_max_us=60000001", "transport.rto_max_us" },
	{ NULL, "transport.max_retries=0", "transport.max_retries" },
	{ GOOD_NET "[transport]\nmax_retries = 101\n", NULL,
	  "transport.max_retries: \"101\" is not in 1..100" },
	{ GOOD_NET "[transport]\nrto_min_us = 300000\n", NULL,
	  "transport.rto_min_us: 300000 is above transport.rto_max_us (200000)" },
	{ NULL, "transport.syn_backlog=0", "transport.syn_backlog" },
	{ NULL, "transport.half_open_max=0", "transport.half_open_max" },
	{ NULL, "transport.half_open_timeout_ms=60001", "transport.half_open_timeout_ms" },
	{ NULL, "transport.keepalive_ms=86400001", "transport.keepalive_ms" },
	{ NULL, "transport.ephemeral_port_min=1023", "transport.ephemeral_port_min" },
	{ NULL, "transport.ephemeral_port_max=65536", "transport.ephemeral_port_max" },
	{ GOOD_NET "[transport]\nephemeral_port_min = 60001\nephemeral_port_max = 60000\n",
	  NULL, "transport.ephemeral_port_min: 60001 is above transport.ephemeral_port_max (60000)" },
	{ NULL, "cc.target_us=0", "cc.target_us" },
	{ NULL, "cc.target_us=10000001", "cc.target_us" },
	{ NULL, "cc.fs_range_us=10000001", "cc.fs_range_us" },
	{ NULL, "cc.ai=0.0009", "cc.ai: \"0.0009\" is not in 0.001..1000" },
	{ NULL, "cc.ai=1000.5", "cc.ai" },
	{ NULL, "cc.ai=-1", "cc.ai: \"-1\" is not a decimal number" },
	{ NULL, "cc.beta=0", "cc.beta: \"0\" is not above 0 and at most 1" },
	{ NULL, "cc.beta=1.01", "cc.beta" },
	{ NULL, "cc.max_mdf=0", "cc.max_mdf" },
	{ NULL, "cc.max_mdf=1", "cc.max_mdf: \"1\" is not above 0 and below 1" },
	{ NULL, "cc.min_cwnd=0.0001", "cc.min_cwnd" },
	{ NULL, "cc.min_cwnd=1.5", "cc.min_cwnd" },
	{ GOOD_NET "[cc]\nbeta = 0.8\nbeta = 0.9\n", NULL, "cc.beta: is set twice" },
	{ GOOD_NET "[fault]\nrx_drop = 1.5\n", NULL,
	  "fault.rx_drop: \"1.5\" is not in 0..1" },
	{ NULL, "fault.rx_duplicate=-0.1", "fault.rx_duplicate" },
	{ NULL, "fault.rx_reorder=nan", "fault.rx_reorder" },
	{ NULL, "fault.rx_delay=inf", "fault.rx_delay" },
	{ NULL, "fault.tx_drop=1e999", "fault.tx_drop" },
	{ NULL, "fault.tx_duplicate=0x0.8", "fault.tx_duplicate" },
	{ NULL, "fault.tx_reorder= 0.5", "fault.tx_reorder" },
	{ NULL, "fault.tx_delay=0.5 ", "fault.tx_delay" },
	{ NULL, "fault.tx_delay=.5", "fault.tx_delay" },
	{ NULL, "fault.rx_drop=0.5.1", "fault.rx_drop" },
	{ NULL, "fault.rx_drop=5%", "fault.rx_drop" },
	{ NULL, "fault.rx_drop=1e", "fault.rx_drop" },
	{ NULL, "fault.rx_drop=", "fault.rx_drop" },
	{ NULL, "fault.rx_drop=0,5", "fault.rx_drop" },
	{ NULL, "fault.delay_us=0", "fault.delay_us" },
	{ NULL, "fault.delay_us=10000001", "fault.delay_us" },
	{ NULL, "fault.seed=4294967296", "fault.seed" },
	{ NULL, "fault.seed=-1", "fault.seed" },
	{ NULL, "fault.speed=1", "fault.speed: unknown key" },
	{ NULL, "arp.retry_ms=0", "arp.retry_ms" },
	{ NULL, "arp.retries=0", "arp.retries" },
	{ NULL, "arp.ageing_s=0", "arp.ageing_s" },
	{ NULL, "machnet.instance=", "machnet.instance" },
	{ NULL, "machnet.instance=a/b", "machnet.instance" },
	{ NULL, "machnet.instance=a b", "machnet.instance" },
	{ NULL, "machnet.instance=abc" LONG_61, "machnet.instance" },
	{ GOOD_NET "[arp_static]\n10.0.0.300 = 02:00:00:00:00:05\n", NULL,
	  "arp_static.10.0.0.300" },
	{ GOOD_NET "[arp_static]\n10.0.0.5 = 02:00:00:00:00\n", NULL,
	  "arp_static.10.0.0.5" },
	{ NULL, "arp_static.10.0.0.5=ff:ff:ff:ff:ff:ff", "arp_static.10.0.0.5" },
	{ GOOD_NET "[arp_static]\n10.0.0.5 = 02:00:00:00:00:05\n"
	  "10.0.0.5 = 02:00:00:00:00:06\n", NULL, "arp_static.10.0.0.5" },
	{ GOOD_NET "mtu = 1500\nmtu = 9000\n", NULL, "net.mtu: is set twice" },
	{ "[net]\nmtu = 1500\n", NULL, "net.ip" },
	{ NULL, "net.mtu=1500", "net.ip: is required" },
	{ GOOD_NET "mtu 1500\n", NULL, "line 3" },
	{ "ip = 10.0.0.1\n", NULL, "line 1" },
	{ GOOD_NET "mtu =\n", NULL, "line 3" },
	{ GOOD_NET "[engine\n", NULL, "line 3" },
	{ GOOD_NET "[engine] idle = spin\n", NULL, "line 3" },
	{ NULL, "netip=10.0.0.1", "netip" },
	{ NULL, "net.ip", "net.ip" },
	{ NULL, ".ip=10.0.0.1", ".ip" },
	{ NULL, "net.=10.0.0.1", "net." },
};

START_TEST(test_bad_input)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	if (bc->file != NULL) {
		ck_assert_msg(load_text(bc->file, NULL, 0, &c, err) == -1,
			      "file \"%s\" was accepted", bc->file);
		assert_one_line_error(err, bc->needle, conf_path);
	} else {
		ck_assert_msg(mn_config_load(&c, NULL, &bc->override, 1, err) == -1,
			      "override \"%s\" was accepted", bc->override);
		assert_one_line_error(err, bc->needle, "command line");
	}
}
END_TEST

START_TEST(test_range_limits_accepted)
{
	char *ov[] = { "net.ip=10.0.0.1", "net.mtu=576", "resources.ring_size=64",
		       "resources.pool_size=1048575", "resources.rx_desc=64",
		       "resources.tx_desc=16384", "transport.window=1",
		       "resources.channels_per_process=64",
		       "machnet.instance=ab" LONG_61, "net.netmask=255.255.255.255",
		       "net.gateway=10.0.0.254" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(mn_config_load(&c, NULL, ov, RTE_DIM(ov), err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.mtu, 576);
	ck_assert_uint_eq(c.ring_size, 64);
	ck_assert_uint_eq(c.pool_size, 1048575);
	ck_assert_uint_eq(c.rx_desc, 64);
	ck_assert_uint_eq(c.tx_desc, 16384);
	ck_assert_uint_eq(c.channels_per_process, 64);
	ck_assert_uint_eq(c.window, 1);
	ck_assert_uint_eq(strlen(c.instance), 63);
	ck_assert_uint_eq(c.netmask, UINT32_MAX);
	ck_assert_uint_eq(c.gateway, ipv4(10, 0, 0, 254));
}
END_TEST

START_TEST(test_real_limits_accepted)
{
	char *ov[] = { "net.ip=10.0.0.1", "cc.ai=0.001", "cc.beta=1",
		       "cc.max_mdf=0.999", "cc.min_cwnd=1", "fault.rx_drop=0",
		       "fault.tx_drop=1", "fault.rx_delay=1e-3",
		       "fault.tx_delay=0.000", "fault.seed=0" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(mn_config_load(&c, NULL, ov, RTE_DIM(ov), err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.cc_ai, 0.001);
	ck_assert_double_eq(c.cc_beta, 1);
	ck_assert_double_eq(c.cc_max_mdf, 0.999);
	ck_assert_double_eq(c.cc_min_cwnd, 1);
	ck_assert_double_eq(c.fault_rx_drop, 0);
	ck_assert_double_eq(c.fault_tx_drop, 1);
	ck_assert_double_eq(c.fault_rx_delay, 0.001);
	ck_assert_double_eq(c.fault_tx_delay, 0);
	ck_assert_uint_eq(c.fault_seed, 0);
	ck_assert_uint_eq(c.cc_target_us, 500);
}
END_TEST

/*
 * Only the bounds of the RTT-based timeout must not cross; the initial
 * rto_us may lie outside them. A crossing is blamed on the command line
 * when it set either bound, else on the file.
 */
START_TEST(test_rto_bounds)
{
	char *ov_ok[] = { "transport.rto_min_us=500" };
	char *ov_bad[] = { "transport.rto_max_us=400" };
	const char *text = GOOD_NET "[transport]\nrto_us = 1\n"
		"rto_min_us = 700\nrto_max_us = 700\n";
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_msg(load_text(text, ov_ok, 1, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.rto_us, 1);
	ck_assert_uint_eq(c.rto_min_us, 500);
	ck_assert_uint_eq(c.rto_max_us, 700);
	ck_assert_int_eq(load_text(text, ov_bad, 1, &c, err), -1);
	assert_one_line_error(err, "transport.rto_min_us: 700 is above", "command line");
	ck_assert_int_eq(load_text(GOOD_NET "[transport]\nrto_max_us = 999\n",
				   ov_ok, 1, &c, err), 0);
	ck_assert_int_eq(load_text(GOOD_NET "[transport]\nrto_max_us = 999\n",
				   NULL, 0, &c, err), -1);
	assert_one_line_error(err, "transport.rto_max_us (999)", conf_path);
}
END_TEST

START_TEST(test_long_values)
{
	char text[1024] = GOOD_NET "[machnet]\neal_args = ";
	char *ov[2] = { "net.ip=10.0.0.1", NULL };
	char big[1100];
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	/* 255 characters fit rte_cfgfile; one more would be cut silently. */
	memset(big, 'x', 255);
	big[255] = '\0';
	strcat(text, big);
	ck_assert_msg(load_text(text, NULL, 0, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(strlen(c.eal_args), 255);
	strcat(text, "x\n");
	ck_assert_int_eq(load_text(text, NULL, 0, &c, err), -1);
	assert_one_line_error(err, "line 4: the value is longer", conf_path);
	/* A line rte_cfgfile cannot hold, even if most of it is comment. */
	strcpy(text, GOOD_NET "; ");
	memset(big, 'z', 330);
	big[330] = '\0';
	strcat(text, big);
	ck_assert_int_eq(load_text(text, NULL, 0, &c, err), -1);
	assert_one_line_error(err, "line 3: the line is longer", conf_path);

	memcpy(big, "machnet.eal_args=", 17);
	memset(big + 17, 'y', 1023);
	big[17 + 1023] = '\0';
	ov[1] = big;
	ck_assert_msg(mn_config_load(&c, NULL, ov, 2, err) == 0, "%s", err);
	ck_assert_uint_eq(strlen(c.eal_args), 1023);
	strcat(big, "y");
	ck_assert_int_eq(mn_config_load(&c, NULL, ov, 2, err), -1);
	assert_one_line_error(err, "machnet.eal_args", "command line");
	ck_assert_ptr_nonnull(strstr(err, "longer than 1023"));
}
END_TEST

START_TEST(test_unreadable_file)
{
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_int_eq(mn_config_load(&c, "/nonexistent.conf", NULL, 0, err),
			 -1);
	assert_one_line_error(err, "cannot read the file", "/nonexistent.conf");
	ck_assert_int_eq(mn_config_load(&c, "/tmp", NULL, 0, err), -1);
	assert_one_line_error(err, "cannot read the file", "/tmp");
}
END_TEST

START_TEST(test_value_newline_stays_one_line)
{
	char *ov[] = { "net.ip=10.0.0.1\nnet.mtu=9000" };
	struct mn_config c;
	char err[MN_CONFIG_ERR_LEN];

	ck_assert_int_eq(mn_config_load(&c, NULL, ov, 1, err), -1);
	assert_one_line_error(err, "net.ip", "command line");
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_shipped_file);
	tcase_add_test(tc, test_overrides_win);
	tcase_add_test(tc, test_overrides_without_file);
	tcase_add_test(tc, test_printed_config_reads_back_the_same);
	tcase_add_test(tc, test_repeated_section_merges);
	tcase_add_test(tc, test_static_arp);
	tcase_add_test(tc, test_static_arp_limit);
	tcase_add_test(tc, test_failure_keeps_cfg);
	tcase_add_loop_test(tc, test_bad_input, 0, RTE_DIM(bad_cases));
	tcase_add_test(tc, test_range_limits_accepted);
	tcase_add_test(tc, test_real_limits_accepted);
	tcase_add_test(tc, test_rto_bounds);
	tcase_add_test(tc, test_long_values);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_value_newline_stays_one_line);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(config_suite)
