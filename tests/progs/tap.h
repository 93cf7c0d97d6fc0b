/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the test programs: result() prints one test point,
 * bail() stops with "Bail out!", tap_done() prints the plan and gives the
 * exit status. A program includes this once.
 */
#ifndef PROGS_TAP_H
#define PROGS_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int n, failed;

static void __attribute__((format(printf, 2, 3)))
result(int okay, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", okay ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!okay)
		failed++;
}

/* Stop the program: @what failed with errno. */
static void __attribute__((noreturn, unused)) bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}

static uint64_t __attribute__((unused)) now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

#endif
