/*
 * fuzz_input.c: a libFuzzer target for machnetd's packet-input path
 * (mn_proto_input and all it calls), run by `make fuzz`.
 *
 * Each input starts from the same fresh world (world.h): an engine with a
 * listener, an established flow with data in flight and one holding data
 * out of order, and connects under way. The input is a sequence of
 * records (FUZZ_REC_HDR in world.h), each one frame that the engine's NIC
 * receives, after the clock moved by the record's amount; what the engine
 * sends or delivers is thrown away. Resetting the world for every input
 * costs speed (about 2000 inputs/s remain) but makes every finding
 * reproducible from its one input, in the fuzzer or in a unit test.
 */
#include <stddef.h>
#include <stdint.h>

#include "world.h"

static struct fuzz_world world;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0]);
	fuzz_world_init(&world);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_world_setup(&world);
	fuzz_world_feed(&world, data, size);
	fuzz_world_teardown(&world);
	return 0;
}
