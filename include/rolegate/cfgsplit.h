#ifndef ROLEGATE_CFGSPLIT_H
#define ROLEGATE_CFGSPLIT_H

/*
 * libconfig checks every setting added to a group against all the settings
 * already there, so a group of n settings costs n² name comparisons: 10 000
 * roles took seconds to parse. rg_cfgsplit() cuts the text of a
 * configuration so that libconfig never holds the top-level `roles` group
 * whole: `main` is the text with the body of that group blanked out (line
 * ends kept, so every line number stays), and each chunk is a text
 * `roles = { ... }` holding per_chunk of its settings at their original
 * line numbers. The loader parses each and walks the chunks' roles in
 * order, checking duplicate names across chunks itself.
 */

#include <stddef.h>

struct rg_cfgsplit {
	char *main;
	char **chunks;
	size_t nchunks;
};

/*
 * Splits text[0..len). Returns 0 with out filled (free with
 * rg_cfgsplit_free), 1 when there is nothing to split (no top-level roles
 * group, unbalanced brackets, an @include) and the text should be parsed as
 * it is, or -1 when out of memory.
 */
int rg_cfgsplit(const char *text, size_t len, size_t per_chunk, struct rg_cfgsplit *out);

void rg_cfgsplit_free(struct rg_cfgsplit *s);

/*
 * The end of a comment (#, //, slash-star) or double-quoted string starting
 * at t[i] of a libconfig text, or i when none starts there.
 */
size_t rg_cfg_skip_comment_or_string(const char *t, size_t len, size_t i);

#endif
