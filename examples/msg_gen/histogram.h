/*
 * histogram.h: a latency histogram whose percentiles stay within 0.2% of
 * the exact ones from 1 ns to 2^37 ns (137 s), in constant memory and
 * constant time per sample, so a benchmark can record every round trip
 * at millions per second and still report an honest p99.9.
 *
 * Buckets are log-linear: values below 256 ns are counted exactly; above,
 * each power of two is split into 256 equal buckets (a bucket spans at
 * most 0.39% of its values). Percentiles report the bucket's midpoint,
 * clamped to the exact minimum and maximum seen. Values of 2^37 ns or
 * more land in the last bucket.
 */
#ifndef MSG_GEN_HISTOGRAM_H
#define MSG_GEN_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct hist;

/* A new empty histogram, or NULL when out of memory. */
struct hist *hist_create(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);
void hist_record(struct hist *h, uint64_t value);
/* Adds every sample of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);
uint64_t hist_count(const struct hist *h);
uint64_t hist_max(const struct hist *h);
/*
 * The nearest-rank q-quantile (0 < q <= 1): the smallest recorded value
 * with at least q of the samples at or below it, to within the bucket
 * width. 0 when the histogram is empty.
 */
uint64_t hist_percentile(const struct hist *h, double q);

/*
 * Checks the percentiles of 1,000,000 pseudo-random samples from several
 * distributions against the exact ones, and merging against recording,
 * printing one line per check to out. true when every relative error is
 * below 1%.
 */
bool hist_self_test(FILE *out);

#endif /* MSG_GEN_HISTOGRAM_H */
