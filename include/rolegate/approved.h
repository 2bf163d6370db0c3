#ifndef ROLEGATE_APPROVED_H
#define ROLEGATE_APPROVED_H

/*
 * The approved-images list (SPEC.md §3 approved_images): the digests a CI
 * pipeline's scanner passed, one a line, optionally with the repository
 * name before '@':
 *
 *   # scanned 2026-12-06 by the pipeline
 *   sha256:<64 lower-case hex>                  approved under any name
 *   registry.example.org/team/app@sha256:<hex>  approved under that name only
 *   busybox@sha256:<hex>                        = docker.io/library/busybox
 *
 * '#' starts a comment, blank lines are skipped, white space around an
 * entry is ignored. A tag between name and digest (app:1.2@sha256:...) is
 * allowed and means nothing: the digest names the content. Every line must
 * end with a newline, so that a file caught half-written does not parse.
 *
 * Parsing is pure (the daemon reads the file: plugin/approvedfile.c); the
 * engine reaches the daemon's copy through struct rg_approved_source.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/errlist.h"
#include "rolegate/imageref.h"

/* Longest line the parser reads (a name of 255 plus a digest fits). */
#define RG_APPROVED_LINE_MAX 1024

struct rg_approved_entry {
	char digest[72];       /* "sha256:<64 hex>" */
	char *name;            /* "domain/path" (normalized), or NULL: any name */
};

struct rg_approved {
	struct rg_approved_entry *v;   /* sorted by digest, then name (NULL first) */
	size_t n;
};

/*
 * Parses the text of an approved-images file, text[0..len) (need not be
 * NUL-terminated; a NUL byte is an error). Returns a new list (free with
 * rg_approved_free; an empty file gives an empty list, which approves
 * nothing), or NULL when any line is not an entry: then every bad line is
 * appended to errs as "PATH:LINE: message" (path is only used for messages).
 */
struct rg_approved *rg_approved_parse(const char *path, const char *text, size_t len,
		struct rg_errlist *errs);

/* Frees a list. NULL-safe. */
void rg_approved_free(struct rg_approved *a);

/*
 * Whether img (parsed, with a sha256 digest) is approved: some entry has its
 * digest and either no name or img's repository (domain compared without
 * regard to case, path exactly).
 */
bool rg_approved_has(const struct rg_approved *a, const struct rg_imageref *img);

/*
 * What is wrong with the digest part of a reference, as pinned_images and
 * approved_images demand it ("sha256:" and 64 lower-case hex digits): a
 * static phrase such as "the digest uses upper-case hex digits", or NULL
 * when it is well formed.
 */
const char *rg_approved_digest_problem(const char *digest);

enum rg_approved_answer {
	RG_APPROVED_UNUSABLE = -1, /* the file cannot be read, or does not parse */
	RG_APPROVED_NO = 0,
	RG_APPROVED_YES = 1,
};

/*
 * The engine's window on the daemon's approved-images files. lookup answers
 * whether img is in the file at path as it is now (the daemon re-reads a
 * file that changed); on RG_APPROVED_UNUSABLE it writes why (plain words)
 * into why. lookup must be safe to call from several threads at once.
 */
struct rg_approved_source {
	enum rg_approved_answer (*lookup)(void *arg, const char *path, const struct rg_imageref *img,
			char *why, size_t whylen);
	void *arg;
};

#endif
