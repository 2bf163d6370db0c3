#ifndef ROLEGATE_CONSIMAGE_H
#define ROLEGATE_CONSIMAGE_H

/*
 * Image provenance (SPEC.md §3 pinned_images, approved_images; §4): every
 * image a command runs or pulls is named by digest, and, with
 * approved_images, that digest is in the pipeline's list. Same contract as
 * conscheck.h: 0 passes, -1 denies with k->reason set.
 */

#include <stdbool.h>

#include "rolegate/conscheck.h"

/* Whether c restricts image provenance (pinned_images = true or
 * approved_images set). */
bool rg_consimage_restricted(const struct rg_constraints *c);

/*
 * One image reference ref as a command names it (container create's Image,
 * an image mount's Source, a service's image, a pull's reference, a
 * plugin's remote); verb starts the reason ("use image"). Refused: an
 * empty reference, an image id, a reference by tag only, a malformed
 * digest (upper-case or short hex, another algorithm, two '@', an empty
 * name), and under approved_images a digest the list does not hold, or
 * any image while the list cannot be read.
 */
int rg_consimage_check(struct rg_conscheck *k, const char *ref, const char *verb);

/*
 * image.pull's reference as the checks need it, from fromImage and ?tag=:
 * a tag that is a digest ("sha256:...", the docker CLI's `pull NAME@DIGEST`)
 * replaces the name's tag and digest, as dockerd does; any other tag only
 * replaces a tag, which no check reads, and out is fromImage as given (also
 * when fromImage does not parse: the checks refuse it).
 */
void rg_consimage_pull_ref(const char *from_image, const char *tag, char *out, size_t outlen);

/* image.build: its FROM images are pulled and run inside the build, where
 * they cannot be seen: refused under pinned_images or approved_images. */
int rg_consimage_build(struct rg_conscheck *k);

#endif
