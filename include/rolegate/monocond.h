#ifndef ROLEGATE_MONOCOND_H
#define ROLEGATE_MONOCOND_H

/*
 * A condition variable whose timed waits run on CLOCK_MONOTONIC, so that
 * setting the wall clock neither stretches nor cuts short a timeout (the
 * audit flusher's timer, the directory's lookups, the state's stop). A
 * statically initialized one waits on it with pthread_cond_clockwait.
 */

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Now on CLOCK_MONOTONIC, in µs: the clock the timed waits below run on. */
static inline int64_t rg_monotonic_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* The instant at_us (rg_monotonic_us's clock) as a timed wait's deadline. */
static inline struct timespec rg_monotonic_ts(int64_t at_us)
{
	return (struct timespec){ .tv_sec = (time_t)(at_us / 1000000), .tv_nsec = (long)(at_us % 1000000) * 1000 };
}

/* Initializes c on CLOCK_MONOTONIC. Returns 0, or -1. */
static inline int rg_monocond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int r;

	if (pthread_condattr_init(&a) != 0)
		return -1;
	r = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 && pthread_cond_init(c, &a) == 0 ? 0 : -1;
	pthread_condattr_destroy(&a);
	return r;
}

#endif
