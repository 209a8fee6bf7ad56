/*
 * histogram.c: the log-linear latency histogram of histogram.h and its
 * self-test. Self-contained (libc and libm only) so any benchmark can
 * take it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"

#define HIST_SUB_BITS 8
#define HIST_SUB (1u << HIST_SUB_BITS)
/* Values from 2^HIST_TOP_BIT on share the last bucket. */
#define HIST_TOP_BIT 37
/* One exact range below HIST_SUB, then HIST_SUB buckets per power of two. */
#define HIST_BUCKETS (HIST_SUB * (HIST_TOP_BIT - HIST_SUB_BITS + 1))

#define HIST_TEST_SAMPLES 1000000u
#define HIST_TEST_MAX_ERR 0.01

struct hist {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t buckets[HIST_BUCKETS];
};

static unsigned int
hist_index(uint64_t v)
{
	unsigned int top;

	if (v < HIST_SUB)
		return (unsigned int)v;
	if (v >> HIST_TOP_BIT)
		return HIST_BUCKETS - 1;
	top = 63u - (unsigned int)__builtin_clzll(v);
	return HIST_SUB * (top - HIST_SUB_BITS + 1) +
	       (unsigned int)(v >> (top - HIST_SUB_BITS)) - HIST_SUB;
}

static uint64_t
hist_midpoint(unsigned int i)
{
	unsigned int octave = i / HIST_SUB, shift;
	uint64_t sub = i % HIST_SUB;

	if (octave == 0)
		return i;
	shift = octave - 1;
	return ((HIST_SUB + sub) << shift) + ((1ull << shift) >> 1);
}

/* Nearest rank, shared with the self-test so both agree on rounding. */
static uint64_t
hist_rank(double q, uint64_t n)
{
	double r = ceil(q * (double)n);

	if (r < 1)
		return 1;
	return r > (double)n ? n : (uint64_t)r;
}

struct hist *
hist_create(void)
{
	struct hist *h = malloc(sizeof(*h));

	if (h != NULL)
		hist_reset(h);
	return h;
}

void
hist_free(struct hist *h)
{
	free(h);
}

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
hist_record(struct hist *h, uint64_t value)
{
	h->buckets[hist_index(value)]++;
	h->count++;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t
hist_max(const struct hist *h)
{
	return h->max;
}

uint64_t
hist_percentile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	rank = hist_rank(q, h->count);
	for (i = 0; i < HIST_BUCKETS - 1; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	v = hist_midpoint(i);
	if (v < h->min)
		return h->min;
	return v > h->max ? h->max : v;
}

/* The self-test's own generator, so every run checks the same samples. */
static uint64_t
test_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
test_unit(uint64_t *state)
{
	return (double)(test_next(state) >> 11) * 0x1p-53;
}

/* Log-uniform over the documented range, 100 ns to 100 s. */
static uint64_t
test_log_uniform(uint64_t *state)
{
	return (uint64_t)(100.0 * pow(1e9, test_unit(state)));
}

/* A round-trip-like shape: 20 us floor, exponential body, 0.1% in 1-10 ms. */
static uint64_t
test_latency(uint64_t *state)
{
	if (test_next(state) % 1000 == 0)
		return 1000000 + test_next(state) % 9000000;
	return 20000 + (uint64_t)(-3000.0 * log(1.0 - test_unit(state)));
}

/* Small values, where buckets are exact or one step wide. */
static uint64_t
test_small(uint64_t *state)
{
	return test_next(state) % 600;
}

static int
test_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static const double test_quantiles[] = {
	0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0,
};
#define TEST_NQ (sizeof(test_quantiles) / sizeof(test_quantiles[0]))

static double
test_rel_err(uint64_t got, uint64_t exact)
{
	if (exact == 0)
		return got == 0 ? 0 : INFINITY;
	return fabs((double)got - (double)exact) / (double)exact;
}

/* Compares h against the sorted samples it holds; true when within 1%. */
static bool
test_against_exact(FILE *out, const char *name, const struct hist *h,
		   const uint64_t *sorted, uint64_t n)
{
	double worst = 0, err;
	size_t i, worst_i = 0;

	for (i = 0; i < TEST_NQ; i++) {
		err = test_rel_err(hist_percentile(h, test_quantiles[i]),
				   sorted[hist_rank(test_quantiles[i], n) - 1]);
		if (err >= worst) {
			worst = err;
			worst_i = i;
		}
	}
	fprintf(out, "hist self-test: %s: %" PRIu64 " samples, worst error "
		"%.3f%% at q=%g\n", name, n, worst * 100,
		test_quantiles[worst_i]);
	return hist_count(h) == n && worst < HIST_TEST_MAX_ERR;
}

/* Merging two halves must give exactly what recording all of them gives. */
static bool
test_merge(FILE *out, const struct hist *whole, const uint64_t *samples,
	   uint64_t n, struct hist *a, struct hist *b)
{
	bool same = true;
	uint64_t i;

	hist_reset(a);
	hist_reset(b);
	for (i = 0; i < n; i++)
		hist_record(i % 2 ? a : b, samples[i]);
	hist_merge(a, b);
	for (i = 0; i < TEST_NQ; i++)
		same &= hist_percentile(a, test_quantiles[i]) ==
			hist_percentile(whole, test_quantiles[i]);
	same &= hist_count(a) == hist_count(whole) &&
		hist_max(a) == hist_max(whole);
	hist_reset(a);
	same &= hist_count(a) == 0 && hist_percentile(a, 0.5) == 0;
	fprintf(out, "hist self-test: merge of two halves and reset: %s\n",
		same ? "ok" : "WRONG");
	return same;
}

struct test_dist {
	const char *name;
	uint64_t (*draw)(uint64_t *state);
};

static bool
test_dist(FILE *out, const struct test_dist *d, uint64_t *samples,
	  struct hist *h[3])
{
	uint64_t state = 42, i;
	bool ok;

	hist_reset(h[0]);
	for (i = 0; i < HIST_TEST_SAMPLES; i++) {
		samples[i] = d->draw(&state);
		hist_record(h[0], samples[i]);
	}
	qsort(samples, HIST_TEST_SAMPLES, sizeof(*samples), test_cmp_u64);
	ok = test_against_exact(out, d->name, h[0], samples,
				HIST_TEST_SAMPLES);
	return test_merge(out, h[0], samples, HIST_TEST_SAMPLES, h[1], h[2]) &&
	       ok;
}

bool
hist_self_test(FILE *out)
{
	static const struct test_dist dists[] = {
		{ "log-uniform 100 ns..100 s", test_log_uniform },
		{ "latency-like 20 us + exp(3 us), 0.1% at 1-10 ms",
		  test_latency },
		{ "uniform 0..599 ns", test_small },
	};
	uint64_t *samples = malloc(HIST_TEST_SAMPLES * sizeof(*samples));
	struct hist *h[3] = { hist_create(), hist_create(), hist_create() };
	bool ok = samples && h[0] && h[1] && h[2];
	size_t i;

	for (i = 0; ok && i < sizeof(dists) / sizeof(dists[0]); i++)
		ok = test_dist(out, &dists[i], samples, h);
	fprintf(out, "hist self-test: %s\n", ok ? "PASS" : "FAIL");
	for (i = 0; i < 3; i++)
		hist_free(h[i]);
	free(samples);
	return ok;
}
