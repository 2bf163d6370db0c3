/*
 * Image provenance checks: see include/rolegate/consimage.h. The registries
 * key says where an image may come from; these say which content it may
 * be. A tag can be re-pointed after the scan, a digest cannot.
 */
#include <stdio.h>
#include <string.h>

#include "rolegate/approved.h"
#include "rolegate/consimage.h"

bool rg_consimage_restricted(const struct rg_constraints *c)
{
	return c->pinned_images == RG_YES || c->approved_images != NULL;
}

/* The key a refusal names: approved_images when set (it is the stricter). */
static const char *key_of(const struct rg_constraints *c)
{
	return c->approved_images != NULL ? "approved_images" : "pinned_images";
}

/* A digest or bare lower-case hex: dockerd looks it up as an image id. */
static bool image_id(const char *ref)
{
	if (strncmp(ref, "sha256:", 7) == 0)
		ref += 7;
	return ref[0] != '\0' && strspn(ref, "0123456789abcdef") == strlen(ref);
}

static int approved(struct rg_conscheck *k, const struct rg_imageref *img, const char *verb,
		const char *q)
{
	char why[256];

	if (k->approved == NULL || k->approved->lookup == NULL)
		return rg_conscheck_deny(k, "%s %s: the approved-images list %s cannot be read here "
				"(approved_images)", verb, q, k->c->approved_images);
	switch (k->approved->lookup(k->approved->arg, k->c->approved_images, img, why, sizeof(why))) {
	case RG_APPROVED_YES:
		return 0;
	case RG_APPROVED_NO:
		return rg_conscheck_deny(k, "%s %s: its digest is not in the approved-images list %s "
				"(approved_images)", verb, q, k->c->approved_images);
	case RG_APPROVED_UNUSABLE:
		break;
	}
	return rg_conscheck_deny(k, "%s %s: the approved-images list cannot be used (%s), so every "
			"image is refused (approved_images)", verb, q, why);
}

int rg_consimage_check(struct rg_conscheck *k, const char *ref, const char *verb)
{
	const struct rg_constraints *c = k->c;
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	struct rg_imageref img;
	const char *at, *problem, *err;

	if (!rg_consimage_restricted(c))
		return 0;
	if (ref[0] == '\0')
		return rg_conscheck_deny(k, "%s without naming an image (%s)", k->what, key_of(c));
	rg_conscheck_quote(ref, q, sizeof(q));
	if (image_id(ref))
		return rg_conscheck_deny(k, "%s %s by image id, not as NAME@sha256:DIGEST (%s)", verb, q,
				key_of(c));
	at = strchr(ref, '@');
	if (at == NULL) {
		if (c->approved_images != NULL)
			return rg_conscheck_deny(k, "%s %s by tag: its digest is not known until dockerd "
					"resolves it; name it as NAME@sha256:DIGEST (approved_images)", verb, q);
		return rg_conscheck_deny(k, "%s %s by tag, not by digest (pinned_images: "
				"NAME@sha256:DIGEST)", verb, q);
	}
	if (strchr(at + 1, '@') != NULL)
		return rg_conscheck_deny(k, "%s %s: two '@' in one reference (%s)", verb, q, key_of(c));
	if (at == ref)
		return rg_conscheck_deny(k, "%s %s: the name before '@' is empty (%s)", verb, q,
				key_of(c));
	problem = rg_approved_digest_problem(at + 1);
	if (problem != NULL)
		return rg_conscheck_deny(k, "%s %s: %s (%s)", verb, q, problem, key_of(c));
	if (rg_imageref_parse(ref, &img, &err) < 0)
		return rg_conscheck_deny(k, "%s %s: %s (%s)", verb, q, err, key_of(c));
	if (c->approved_images == NULL)
		return 0;
	return approved(k, &img, verb, q);
}

void rg_consimage_pull_ref(const char *from_image, const char *tag, char *out, size_t outlen)
{
	struct rg_imageref img;
	const char *err;

	snprintf(out, outlen, "%s", from_image);
	/* dockerd: ParseNormalizedNamed(fromImage); a tag that digest.Parse
	 * accepts gives WithDigest(TrimNamed(ref)), any other WithTag(ref),
	 * which keeps the name and its digest: what the checks read. A tag
	 * with ':' is written after '@', so that the checks say what is wrong
	 * with a digest dockerd would refuse. */
	if (strchr(tag, ':') == NULL || rg_imageref_parse(from_image, &img, &err) < 0)
		return;
	snprintf(out, outlen, "%s/%s@%s", img.domain, img.path, tag);
}

int rg_consimage_build(struct rg_conscheck *k)
{
	if (!rg_consimage_restricted(k->c))
		return 0;
	return rg_conscheck_deny(k, "build images: the images a build starts from are pulled and "
			"run inside the build, where their digests cannot be checked (%s); build in the "
			"pipeline and run the approved result", key_of(k->c));
}
