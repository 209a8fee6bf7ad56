/*
 * test_profiles.c: the shipped configuration files are what machnetd will
 * read on a real NIC, so each must load through the real parser, and each
 * platform's profile must still say what makes it that platform's. The
 * profiles are found by globbing, so a new one is checked without a change
 * here; the tests run from the repository root.
 */
#include <glob.h>
#include <libgen.h>
#include <string.h>

#include "config.h"
#include "port_mtu.h"
#include "unit.h"

#define PROFILES "config/profiles/*.conf"
#define DEFAULT_CONF "config/machnet.conf"
/* The documentation placeholders every profile must hold instead of a
 * real device, so that nothing copied from here can take a NIC unedited. */
#define PCI_PLACEHOLDER "0000:00:00.0"
#define DOC_IP 0xc0000201u /* 192.0.2.1, TEST-NET-1 */

static void
load(const char *path, struct mn_config *cfg)
{
	char err[MN_CONFIG_ERR_LEN] = "";

	mn_config_defaults(cfg);
	ck_assert_msg(mn_config_load(cfg, path, NULL, 0, err) == 0, "%s: %s",
		      path, err);
}

static void
load_profile(const char *name, struct mn_config *cfg)
{
	char path[256];

	snprintf(path, sizeof(path), "config/profiles/%s", name);
	load(path, cfg);
}

START_TEST(the_default_configuration_loads)
{
	struct mn_config cfg;

	load(DEFAULT_CONF, &cfg);
	/* Tests run on it: it must keep DPDK off the machine's NICs. */
	ck_assert_ptr_nonnull(strstr(cfg.eal_args, "--no-pci"));
}
END_TEST

START_TEST(every_profile_loads_and_names_no_real_device)
{
	glob_t g;
	size_t i;

	ck_assert_int_eq(glob(PROFILES, 0, NULL, &g), 0);
	ck_assert_uint_gt(g.gl_pathc, 0);
	for (i = 0; i < g.gl_pathc; i++) {
		struct mn_config cfg;

		load(g.gl_pathv[i], &cfg);
		ck_assert_msg(cfg.ip == DOC_IP, "%s: ip is not the placeholder",
			      g.gl_pathv[i]);
		ck_assert_msg(strstr(cfg.eal_args, PCI_PLACEHOLDER) != NULL,
			      "%s: eal_args has no placeholder PCI address",
			      g.gl_pathv[i]);
		/* A profile is for a real NIC: no test vdev, no --no-pci that
		 * would hide it, and one allow-listed device, not DPDK's whole
		 * PCI scan. */
		ck_assert_msg(strstr(cfg.eal_args, "--no-pci") == NULL &&
			      strstr(cfg.eal_args, "--vdev") == NULL &&
			      strstr(cfg.eal_args, "-a ") != NULL,
			      "%s: eal_args \"%s\" is not a real NIC's",
			      g.gl_pathv[i], cfg.eal_args);
	}
	globfree(&g);
}
END_TEST

START_TEST(each_known_profile_is_there)
{
	static const char *const names[] = {
		"azure-netvsc.conf", "aws-ena.conf", "gcp-gve.conf",
		"intel-e810.conf", "intel-e810-iavf.conf", "nvidia-mlx5.conf",
	};
	glob_t g;
	size_t i, j;

	ck_assert_int_eq(glob(PROFILES, 0, NULL, &g), 0);
	for (i = 0; i < RTE_DIM(names); i++) {
		bool found = false;

		for (j = 0; j < g.gl_pathc; j++)
			found |= strcmp(basename(g.gl_pathv[j]), names[i]) == 0;
		ck_assert_msg(found, "config/profiles/%s is missing", names[i]);
	}
	globfree(&g);
}
END_TEST

START_TEST(cloud_mtus_are_the_platforms)
{
	struct mn_config cfg, dflt;
	struct mn_port_mtu nic;
	uint64_t jumbo, plain;

	load_profile("gcp-gve.conf", &cfg);
	ck_assert_uint_eq(cfg.mtu, 1460);
	load_profile("azure-netvsc.conf", &cfg);
	ck_assert_uint_eq(cfg.mtu, 1500);
	/* A VPC carries 9001, one more than machnetd takes; the pool shrinks
	 * so that its jumbo buffers take about the hugepages (within a tenth)
	 * that the default pool takes at 1500 on a NIC. */
	load_profile("aws-ena.conf", &cfg);
	ck_assert_uint_eq(cfg.mtu, 9000);
	memset(&nic, 0, sizeof(nic));
	mn_config_defaults(&dflt);
	jumbo = (uint64_t)cfg.pool_size * mn_port_mtu_data_room(&nic, cfg.mtu);
	plain = (uint64_t)dflt.pool_size * mn_port_mtu_data_room(&nic, dflt.mtu);
	ck_assert_uint_le(jumbo * 10, plain * 11);
}
END_TEST

START_TEST(device_specific_arguments_hold)
{
	struct mn_config cfg;

	/* mlx5 is probed in place (bifurcated) and asked for Ethernet only. */
	load_profile("nvidia-mlx5.conf", &cfg);
	ck_assert_ptr_nonnull(strstr(cfg.eal_args, PCI_PLACEHOLDER ",class=eth"));
	/* netvsc is a VMBus device, allow-listed by GUID, beside its VF. */
	load_profile("azure-netvsc.conf", &cfg);
	ck_assert_ptr_nonnull(strstr(cfg.eal_args,
				     "-a 00000000-0000-0000-0000-000000000000"));
	ck_assert_ptr_null(strstr(cfg.eal_args, "vdev_netvsc"));
}
END_TEST

static Suite *
profiles_suite(void)
{
	Suite *s = suite_create("profiles");
	TCase *tc = tcase_create("profiles");

	tcase_add_test(tc, the_default_configuration_loads);
	tcase_add_test(tc, every_profile_loads_and_names_no_real_device);
	tcase_add_test(tc, each_known_profile_is_there);
	tcase_add_test(tc, cloud_mtus_are_the_platforms);
	tcase_add_test(tc, device_specific_arguments_hold);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(profiles_suite)
