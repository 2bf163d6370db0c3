#ifndef ROLEGATE_CFGINT_H
#define ROLEGATE_CFGINT_H

/*
 * libconfig 1.5 reads an integer literal without the L suffix with atoi():
 * 4294967297 becomes 1 and 8589934592 becomes 0, silently. SPEC.md §3 wants
 * wrong values reported, never ignored, so rg_cfg_check_wide_ints() finds
 * every such literal in the text (outside strings and comments) and reports
 * it as FILE:LINE: an integer beyond 32 bits must carry the L suffix.
 */

#include <stddef.h>

struct rg_errlist;

/* Adds one error to errs for each plain integer literal of text that does not fit in an int. */
void rg_cfg_check_wide_ints(const char *text, size_t len, const char *path, struct rg_errlist *errs);

#endif
