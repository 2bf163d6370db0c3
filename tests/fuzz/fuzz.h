#ifndef ROLEGATE_FUZZ_H
#define ROLEGATE_FUZZ_H

/*
 * Fuzz targets (after systemd's src/fuzz): each fuzz-<input>.c defines the
 * libFuzzer entry point. Built with -Dfuzz=true under clang it links
 * libFuzzer; in every build it also links fuzz-main.c and replays its corpus
 * (tests/fuzz/corpus/<target>/) as a normal test.
 *
 * A target checks properties that must hold for every input, and abort()s
 * (through fuzz_assert) when one does not, so that libFuzzer and the replay
 * both report it as a crash.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
