#ifndef ROLEGATE_IMAGEREF_H
#define ROLEGATE_IMAGEREF_H

/*
 * Docker image references, read the way the docker CLI and dockerd read them
 * (distribution/reference ParseNormalizedNamed, then TagNameOnly):
 *
 *   busybox                        docker.io/library/busybox:latest
 *   docker.io/busybox              docker.io/library/busybox:latest
 *   index.docker.io/team/app:1     docker.io/team/app:1
 *   localhost:5000/app@sha256:...  localhost:5000/app@sha256:...
 *
 * The first component names a registry iff it contains '.' or ':', is
 * "localhost", or has an upper-case letter; otherwise the registry is
 * docker.io, and a one-component name there gets "library/". The repository
 * path must be lower case. Digests must be sha256, sha384 or sha512 with
 * lower-case hex of the right length, as go-digest's Validate demands.
 * No allocation, no global state.
 */

#include <stdbool.h>
#include <stddef.h>

/* Buffer size that holds any normalized reference with a sha256 digest. */
#define RG_IMAGEREF_MAX 512
/* distribution/reference NameTotalLengthMax: "domain/path" at most this long. */
#define RG_IMAGEREF_NAME_MAX 255

struct rg_imageref {
	char domain[256];   /* "docker.io", "localhost:5000", "registry.example.org" */
	char path[256];     /* "library/busybox", "team/app" */
	char tag[129];      /* "latest" when neither tag nor digest given; "" if only digest */
	char digest[136];   /* "sha256:<64 hex>" (up to sha512) or "" */
	bool tag_defaulted; /* tag is "latest" only because none was given */
};

/*
 * Parses ref into out. Returns 0, or -1 with *errstr set to a static message
 * in plain words when ref is not a valid reference (then out is unspecified).
 * A 64-hex string (an image id) is refused, as docker refuses it.
 */
int rg_imageref_parse(const char *ref, struct rg_imageref *out, const char **errstr);

/*
 * Writes the full form of ref: "domain/path:tag", "domain/path@digest", or
 * "domain/path:tag@digest" when both are given. Returns 0, or -1 when ref is
 * invalid or the result does not fit in outlen bytes (out then holds "").
 */
int rg_imageref_normalize(const char *ref, char *out, size_t outlen);

/*
 * Writes an already parsed reference in full form; a tag that was only
 * defaulted is omitted when with_default_tag is false (a repository name:
 * "docker.io/library/busybox"). Returns 0, or -1 when it does not fit.
 */
int rg_imageref_format(const struct rg_imageref *ref, bool with_default_tag, char *out,
		size_t outlen);

/*
 * Whether the image's repository "domain/path" lies under the registry entry
 * `allowed`, matching whole components. An entry is a registry host
 * (optionally with a repository path prefix), or a docker.io path prefix:
 *
 *   "registry.example.org"       everything on that registry
 *   "localhost:5000/team"        localhost:5000/team and localhost:5000/team/...
 *   "docker.io"                  all of Docker Hub ("index.docker.io" is the same)
 *   "docker.io/library"          official images: docker.io/library/busybox,
 *                                but not docker.io/library2/x
 *   "team" (no host)             docker.io/team/...
 *
 * Entries are prefixes: no "library/" is inserted into them, and an entry
 * with a tag or digest, or otherwise invalid, matches nothing. Host names
 * compare case-insensitively (DNS), paths exactly.
 */
bool rg_imageref_under(const struct rg_imageref *img, const char *allowed);

/* Whether s is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
bool rg_imageref_valid_tag(const char *s);

/* Whether s is a digest dockerd accepts: sha256/sha384/sha512 ":" lower-case hex. */
bool rg_imageref_valid_digest(const char *s);

/* Whether `allowed` is a well-formed registry entry for rg_imageref_under(). */
bool rg_imageref_prefix_valid(const char *allowed);

#endif
