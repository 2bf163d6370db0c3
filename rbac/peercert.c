/* The CNs of the caller's client certificate (see peercert.h). Pure: memory in, a count out. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "rolegate/peercert.h"

/* Whole base64 of n bytes at in, whitespace (PEM's line ends) skipped, into a new buffer. */
static unsigned char *unbase64(const char *in, size_t n, size_t *outlen)
{
	char *clean = malloc(n + 1);
	unsigned char *out;
	size_t m = 0;
	int k;

	if (clean == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '\n' && in[i] != '\r' && in[i] != ' ' && in[i] != '\t')
			clean[m++] = in[i];
	}
	out = malloc(m / 4 * 3 + 3);
	if (m == 0 || m % 4 != 0 || out == NULL ||
	    (k = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)m)) < 0) {
		free(clean);
		free(out);
		return NULL;
	}
	*outlen = (size_t)k - (clean[m - 1] == '=') - (clean[m - 2] == '=');
	free(clean);
	return out;
}

/* The first needle (NUL-terminated) in hay[0..n), or NULL (memmem, which is GNU). */
static const char *find(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++) {
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	}
	return NULL;
}

/* The DER inside one PEM CERTIFICATE block of pem (n bytes), into a new buffer. */
static unsigned char *pem_der(const char *pem, size_t n, size_t *derlen)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	const char *b = find(pem, n, begin), *e;

	if (b == NULL)
		return NULL;
	b += sizeof(begin) - 1;
	e = find(b, n - (size_t)(b - pem), end);
	if (e == NULL)
		return NULL;
	return unbase64(b, (size_t)(e - b), derlen);
}

int rg_peercert_cn_count(const json_t *certs)
{
	const char *first = json_string_value(json_array_get(certs, 0));
	unsigned char *pem = NULL, *der = NULL;
	const unsigned char *p;
	size_t pemlen, derlen;
	X509 *x = NULL;
	int n = -1;

	if (first == NULL)
		return -1;
	pem = unbase64(first, strlen(first), &pemlen);
	if (pem != NULL)
		der = pem_der((const char *)pem, pemlen, &derlen);
	p = der;
	if (der != NULL && (x = d2i_X509(NULL, &p, (long)derlen)) != NULL) {
		const X509_NAME *subject = X509_get_subject_name(x);
		int at = -1;

		n = 0;
		while ((at = X509_NAME_get_index_by_NID(subject, NID_commonName, at)) >= 0)
			n++;
	}
	X509_free(x);
	free(der);
	free(pem);
	return n;
}
