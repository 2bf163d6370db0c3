/* The CNs of the caller's client certificate (see peercert.h). Pure: memory in, a count out. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
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

/* One DER element at *p (before end): its content is [*p, *p + *len) after the call. */
static bool element(const unsigned char **p, const unsigned char *end, long *len, int *tag, int *cls)
{
	int r;

	if (*p >= end)
		return false;
	r = ASN1_get_object(p, len, tag, cls, (long)(end - *p));
	/* 0x80: an error; 0x01: an indefinite length, which DER does not have */
	return (r & 0x81) == 0 && *len <= end - *p;
}

/*
 * The subject of a DER certificate: the sixth element of tbsCertificate
 * after the optional [0] version (serialNumber, signature, issuer,
 * validity, subject: RFC 5280 §4.1), walked to by hand and decoded alone.
 * d2i_X509 also decodes the public key, which OpenSSL 3 does through its
 * provider decoders: about 100 µs per call, under global locks, seven times
 * the rest of a read's work (bench/README.md, session 11).
 */
static X509_NAME *subject_of(const unsigned char *der, size_t derlen)
{
	const unsigned char *p = der, *end = der + derlen, *start;
	long len;
	int tag, cls, seen = 0;

	/* Certificate, then tbsCertificate: SEQUENCEs */
	if (!element(&p, end, &len, &tag, &cls) || tag != V_ASN1_SEQUENCE)
		return NULL;
	end = p + len;
	if (!element(&p, end, &len, &tag, &cls) || tag != V_ASN1_SEQUENCE)
		return NULL;
	end = p + len;
	for (;;) {
		start = p;
		if (!element(&p, end, &len, &tag, &cls))
			return NULL;
		p += len;
		if (seen == 0 && cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0)
			continue;          /* [0] version */
		if (++seen == 5)
			break;
	}
	if (tag != V_ASN1_SEQUENCE)
		return NULL;
	return d2i_X509_NAME(NULL, &start, (long)(p - start));
}

int rg_peercert_cn_count(const json_t *certs)
{
	const char *first = json_string_value(json_array_get(certs, 0));
	unsigned char *pem = NULL, *der = NULL;
	size_t pemlen, derlen;
	X509_NAME *subject = NULL;
	int n = -1;

	if (first == NULL)
		return -1;
	pem = unbase64(first, strlen(first), &pemlen);
	if (pem != NULL)
		der = pem_der((const char *)pem, pemlen, &derlen);
	if (der != NULL && (subject = subject_of(der, derlen)) != NULL) {
		int at = -1;

		n = 0;
		while ((at = X509_NAME_get_index_by_NID(subject, NID_commonName, at)) >= 0)
			n++;
	}
	X509_NAME_free(subject);
	free(der);
	free(pem);
	return n;
}

/*
 * The last certificate texts this thread read, with their CN counts. dockerd
 * sends the same certificates with every call of a user, and reading them
 * again (the JSON array, two base64 layers, the subject's DER) cost about
 * 60 000 instructions a call, more than all the rest of a read (bench/
 * README.md, session 11). Keyed by the whole text, compared byte for byte:
 * a certificate whose text differs by one byte is read afresh. Per thread:
 * rbac/ takes no lock.
 */
#define CACHE_SLOTS 4
#define CACHE_TEXT_MAX 4096
static _Thread_local struct {
	size_t len;            /* 0: empty */
	int cns;
	char text[CACHE_TEXT_MAX];
} cache[CACHE_SLOTS];
static _Thread_local unsigned cache_next;

int rg_peercert_cn_count_text(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *certs;
	int n;

	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].len == len && len > 0 && memcmp(cache[i].text, text, len) == 0)
			return cache[i].cns;
	}
	certs = json_loadb(text, len, 0, &jerr);
	if (certs == NULL)
		return json_error_code(&jerr) == json_error_out_of_memory ? -2 : -1;
	n = rg_peercert_cn_count(certs);
	json_decref(certs);
	if (len > 0 && len <= CACHE_TEXT_MAX) {
		unsigned k = cache_next++ % CACHE_SLOTS;

		memcpy(cache[k].text, text, len);
		cache[k].len = len;
		cache[k].cns = n;
	}
	return n;
}
