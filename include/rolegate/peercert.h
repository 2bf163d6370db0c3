#ifndef ROLEGATE_PEERCERT_H
#define ROLEGATE_PEERCERT_H

/*
 * The caller's client certificate, as dockerd sends it with every TLS call
 * (RequestPeerCertificates: base64 of the PEM text, the caller's own
 * certificate first). dockerd names the caller by its subject's CN, and Go
 * takes the *last* CN of a subject that holds several, where openssl and
 * most tools show the first: a CA that signs any subject "with CN=alice in
 * it" would hand out `/CN=alice/CN=root` as root (red team round 14). So
 * the engine refuses a certificate with more than one CN.
 */

#include <stddef.h>

#include <jansson.h>

/*
 * How many CN attributes the subject of the first certificate of certs (a
 * JSON array of base64 strings, borrowed; NULL when the call has none)
 * holds: 0 or more, or -1 when it cannot be read (not base64, not PEM, not
 * a certificate).
 */
int rg_peercert_cn_count(const json_t *certs);

/*
 * The same, of certs given as JSON text (the call's raw array), remembered
 * for the last few texts this thread read: -2 when out of memory.
 */
int rg_peercert_cn_count_text(const char *text, size_t len);

#endif
