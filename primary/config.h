/*
 * config.h: machnetd's settings, read from an INI file (rte_cfgfile) and
 * overridden from the command line as --<section>.<key>=<value>.
 */
#ifndef MN_CONFIG_H
#define MN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#define MN_CONFIG_MAX_STATIC_ARP 32
#define MN_CONFIG_ERR_LEN 256

enum mn_idle_mode {
	MN_IDLE_SPIN = 0, /* dedicated core: lowest latency */
	MN_IDLE_YIELD,    /* sched_yield() after idle_polls empty polls */
	MN_IDLE_SLEEP,    /* sleep idle_sleep_us after idle_polls empty polls */
};

struct mn_static_arp {
	uint32_t ip; /* host byte order */
	struct rte_ether_addr mac;
};

struct mn_config {
	/* [machnet] */
	char instance[64];     /* instance, default "machnet" */
	char eal_args[1024];   /* eal_args: lcores, --vdev, -a, --no-pci ... */
	/* [net] */
	uint32_t ip;           /* ip (required), host byte order */
	uint32_t netmask;      /* netmask, default 255.255.255.0 */
	uint32_t gateway;      /* gateway, default none (0) */
	struct rte_ether_addr mac; /* mac, default the port's */
	bool mac_set;
	uint16_t mtu;          /* mtu, default 1500, 576..9000 */
	/* [resources] */
	uint32_t pool_size;    /* pool_size: mbufs, default 65535 */
	uint32_t ring_size;    /* ring_size: per channel ring, power of 2, default 1024 */
	uint16_t rx_desc;      /* rx_desc, default 1024 */
	uint16_t tx_desc;      /* tx_desc, default 1024 */
	uint32_t channels_per_process; /* channels_per_process, default 16 */
	uint32_t channel_rx_share; /* channel_rx_share: buffers, default 4096 */
	uint32_t flow_rx_share;    /* flow_rx_share: buffers, default 2048 */
	uint32_t channel_tx_share; /* channel_tx_share: buffers, default 4096 */
	uint32_t flow_tx_share;    /* flow_tx_share: buffers, default 2048 */
	uint32_t max_flows;    /* flows: flow table entries, default 4096 */
	/* [engine] */
	enum mn_idle_mode idle_mode; /* idle: spin|yield|sleep, default spin */
	uint32_t idle_polls;   /* idle_polls, default 1 */
	uint32_t idle_sleep_us; /* idle_sleep_us, default 20 */
	/* [transport] */
	uint32_t connect_timeout_ms; /* connect_timeout_ms, default 1000 */
	uint32_t syn_rto_ms;   /* syn_rto_ms: handshake retransmission, default 50 */
	uint32_t rto_us;       /* rto_us: retransmission timeout before any RTT
				* sample, default 5000 */
	uint32_t rto_min_us;   /* rto_min_us: floor of the RTT-based timeout, default 1000 */
	uint32_t rto_max_us;   /* rto_max_us: ceiling after back-off, default 200000 */
	uint32_t max_retries;  /* max_retries: timeouts in a row, with nothing
				* heard from the peer, before the flow is
				* reset, default 20 */
	uint32_t window;       /* window: packets in flight per flow, default 256 */
	uint32_t ack_delay_us; /* ack_delay_us: longest a lone packet's ack
				* waits for data to ride on, default 50 */
	uint32_t syn_backlog;  /* syn_backlog: half-open handshakes per
				* listener, default 128 */
	uint32_t half_open_max; /* half_open_max: half-open handshakes on the
				 * host, default 1024 */
	uint32_t half_open_timeout_ms; /* half_open_timeout_ms: how long one
					* waits for its last ack, default 1000 */
	uint32_t keepalive_ms; /* keepalive_ms: silence before a flow asks its
				* peer whether it is there, 0 off, default 10000 */
	uint32_t ephemeral_port_min; /* ephemeral_port_min, default 49152 */
	uint32_t ephemeral_port_max; /* ephemeral_port_max, default 65535 */
	/* [cc]: delay-based congestion control in the style of Swift */
	uint32_t cc_target_us; /* target_us: base target delay, default 500 */
	uint32_t cc_fs_range_us; /* fs_range_us: target rise for small windows, default 2000 */
	double cc_ai;          /* ai: additive increase, packets per RTT, default 1.0 */
	double cc_beta;        /* beta: multiplicative decrease factor, default 0.8 */
	double cc_max_mdf;     /* max_mdf: largest decrease at once, default 0.5 */
	double cc_min_cwnd;    /* min_cwnd: packets (paced below 1), default 0.01 */
	/* [fault]: fault injection for tests; all off by default */
	double fault_rx_drop;       /* rx_drop: probability 0..1 */
	double fault_rx_duplicate;  /* rx_duplicate */
	double fault_rx_reorder;    /* rx_reorder */
	double fault_rx_delay;      /* rx_delay */
	double fault_tx_drop;       /* tx_drop */
	double fault_tx_duplicate;  /* tx_duplicate */
	double fault_tx_reorder;    /* tx_reorder */
	double fault_tx_delay;      /* tx_delay */
	uint32_t fault_delay_us;    /* delay_us: how long a delayed packet waits, default 200 */
	uint32_t fault_seed;        /* seed: of the fault generator, default 1 */
	/* [arp] */
	uint32_t arp_retry_ms; /* retry_ms, default 100 */
	uint32_t arp_retries;  /* retries, default 5 */
	uint32_t arp_ageing_s; /* ageing_s, default 300 */
	/* [arp_static]: one "<ip> = <mac>" line each */
	struct mn_static_arp static_arp[MN_CONFIG_MAX_STATIC_ARP];
	unsigned int n_static_arp;
};

/* "spin", "yield" or "sleep", as engine.idle says it. */
const char *mn_config_idle_name(enum mn_idle_mode mode);

/* Fills every field with its default; ip stays 0 (required). */
void mn_config_defaults(struct mn_config *cfg);

/*
 * Reads path (may be NULL: defaults and overrides only) and then applies
 * overrides, each "<section>.<key>=<value>" (the leading "--" removed).
 * Returns 0, or -1 with one line in err naming the key and its source
 * (the file's path, or "command line").
 */
int mn_config_load(struct mn_config *cfg, const char *path,
		   char *const overrides[], int n_overrides,
		   char err[MN_CONFIG_ERR_LEN]);

/* Every key with the value it resolved to, as a configuration file. */
void mn_config_print(const struct mn_config *cfg, FILE *out);

#endif /* MN_CONFIG_H */
