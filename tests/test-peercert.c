/*
 * rg_peercert_cn_count (peercert.h) and the decision on it (red team round
 * 14): dockerd names the caller by the last CN of a subject that holds
 * several, so such a certificate is refused; the calls carry the
 * certificates as dockerd sends them (RequestPeerCertificates: base64 of the
 * PEM text), read by both call readers.
 */
#include <stdio.h>
#include <string.h>

#include "rolegate/engine.h"
#include "rolegate/peercert.h"
#include "rolegate/request.h"
#include "test.h"

/* Self-signed, made with openssl req -x509 -subj ...: base64 of the PEM text. */
static const char two_cns[] = /* /CN=alice/CN=root */
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJsVENDQVR1Z0F3SUJBZ0lVTHI3ZHlKUVNxeVNVbmMvWFcxZlBtNTdtT1Rzd0NnWUlLb1pJemowRUF3SXcKSHpFT01Bd0dBMVVFQXd3RllXeHBZMlV4RFRBTEJnTlZCQU1NQkhKdmIzUXdJQmNOTWpZeE1qQTNNVGcwT1RVdwpXaGdQTWpFeU5qRXhNVE14T0RRNU5UQmFNQjh4RGpBTUJnTlZCQU1NQldGc2FXTmxNUTB3Q3dZRFZRUUREQVJ5CmIyOTBNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUUyMERMY2tRaUNUTkZyN0VEVjRhMjR0S3kKVDl1MlIyMHdqS0dEdHNyb1pYcHkwV1NxcjlENXJwNy9uWXFDQmhDK3pSdTMyZmhEOUNOR3EwU25DSDcvVnFOVApNRkV3SFFZRFZSME9CQllFRks0NFkrK1pHL2M2czRPU3N3Z3dTdzZFVHloQU1COEdBMVVkSXdRWU1CYUFGSzQ0ClkrK1pHL2M2czRPU3N3Z3dTdzZFVHloQU1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0NnWUlLb1pJemowRUF3SUQKU0FBd1JRSWhBTXY1d05UNHJ6dTNLK2wrM3p0ZWs3L3hkM2pKRWxYc2MycE5IVTdmZXI5ZUFpQWpDQjNjMERTQgo4V0pCdy9Ca2NOZERxZ2YrMFBvb0tHeEpGaDBNb1NxMzRRPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
static const char one_cn[] = /* /O=x/CN=alice */
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJqakNDQVRXZ0F3SUJBZ0lVVjVJY3VzdGpkNmNvQnF1T2YwV1NMMExxVmFZd0NnWUlLb1pJemowRUF3SXcKSERFS01BZ0dBMVVFQ2d3QmVERU9NQXdHQTFVRUF3d0ZZV3hwWTJVd0lCY05Nall4TWpBM01UZzBPVFV3V2hnUApNakV5TmpFeE1UTXhPRFE1TlRCYU1Cd3hDakFJQmdOVkJBb01BWGd4RGpBTUJnTlZCQU1NQldGc2FXTmxNRmt3CkV3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFQTh5VkNUay9xVXdsQTdvbjFGZHJ2VUhHam9TUmpRQzgKOXNPUE9FbEFvUXFiZ2VKN080OTJIWWsxL1N1TzNJNUpLQThaZnJCM0tla01XOUtwaXRQMVM2TlRNRkV3SFFZRApWUjBPQkJZRUZEbmZ6NStKVStSNERqaGhITnN2cU14c2tabFRNQjhHQTFVZEl3UVlNQmFBRkRuZno1K0pVK1I0CkRqaGhITnN2cU14c2tabFRNQThHQTFVZEV3RUIvd1FGTUFNQkFmOHdDZ1lJS29aSXpqMEVBd0lEUndBd1JBSWcKS0w4cE15Q3FYa203ZG9QdFh5Yng3b0Y0RTcvOFJkekN2SWpubXhkOFVUTUNJSERGU3lwcnB1YzdRb0J4cUhmdgplNUVZR2hqa2dvNURpNXFBVjZtSmVsbG0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
static const char no_cn[] = /* /O=x */
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJjRENDQVJXZ0F3SUJBZ0lVVTFpU3lhVmEzazBWVFd1YkJUWTNGOWtZS1lBd0NnWUlLb1pJemowRUF3SXcKRERFS01BZ0dBMVVFQ2d3QmVEQWdGdzB5TmpFeU1EY3hPRFE1TlRCYUdBOHlNVEkyTVRFeE16RTRORGsxTUZvdwpEREVLTUFnR0ExVUVDZ3dCZURCWk1CTUdCeXFHU000OUFnRUdDQ3FHU000OUF3RUhBMElBQkp4MnhYVGhFYjViCkpVeXpDaUlTVjBaZGZrN1grVGllTEtlcmhqZGpQZU4rOWhXODk2WTNlUDlqRCtuT0hXa3RyYms2ZnVYWU0zamMKUmFERVNJUzlwek9qVXpCUk1CMEdBMVVkRGdRV0JCUUYwZ3grU25yaFdhNjNkWlB2UlBOb1hTRjBDekFmQmdOVgpIU01FR0RBV2dCUUYwZ3grU25yaFdhNjNkWlB2UlBOb1hTRjBDekFQQmdOVkhSTUJBZjhFQlRBREFRSC9NQW9HCkNDcUdTTTQ5QkFNQ0Ewa0FNRVlDSVFDd2Y2b2VmMG9TODRGZVVGc2RjK01Rc0cxYjRqbGYyUTVScWU2bXlhNnEKandJaEFLTFNhcWJHVUZjM3BGTUcvUXdoRTVINDlZa2xtVlE2Y0R0VFJrV1U3aFJpCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K";

static int count(const char *b64)
{
	json_t *a = json_pack("[s]", b64);
	int n = rg_peercert_cn_count(a);

	json_decref(a);
	return n;
}

/* A call as dockerd sends it, decoded by reader (0: one-pass, 1: jansson). */
static void decode(int reader, const char *cert, struct rg_request *req)
{
	char buf[8192];
	const char *err = NULL;
	int n = snprintf(buf, sizeof(buf), "{\"User\":\"root\",\"UserAuthNMethod\":\"TLS\","
			"\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"%s%s%s}",
			cert != NULL ? ",\"RequestPeerCertificates\":[\"" : "",
			cert != NULL ? cert : "", cert != NULL ? "\"]" : "");
	int r = reader == 0 ?
		rg_request_decode(req, RG_PHASE_REQUEST, buf, (size_t)n, 1 << 20, &err) :
		rg_request_decode_jansson(req, RG_PHASE_REQUEST, buf, (size_t)n, JSON_REJECT_DUPLICATES,
				1 << 20, &err, NULL);

	if (r < 0)
		test_fail("decode: %s", err);
}

int main(void)
{
	struct rg_request req;

	test_assert(count(two_cns) == 2);
	test_assert(count(one_cn) == 1);
	test_assert(count(no_cn) == 0);
	test_assert(count("bm90IGEgY2VydGlmaWNhdGU=") == -1);   /* "not a certificate" */
	test_assert(count("not base64!") == -1);
	test_assert(rg_peercert_cn_count(NULL) == -1);
	for (int reader = 0; reader < 2; reader++) {
		decode(reader, two_cns, &req);
		test_assert(req.peer_cert && req.peer_cns == 2);
		rg_request_clear(&req);
		decode(reader, one_cn, &req);
		test_assert(req.peer_cert && req.peer_cns == 1);
		rg_request_clear(&req);
		decode(reader, "QUJD", &req);   /* "ABC" */
		test_assert(req.peer_cert && req.peer_cns == -1);
		rg_request_clear(&req);
		decode(reader, NULL, &req);
		test_assert(!req.peer_cert);
		rg_request_clear(&req);
	}
	/* The one-pass reader remembers texts it read (rg_peercert_cn_count_text):
	 * more texts than it keeps, in turn, each still counted as its own. */
	for (int round = 0; round < 3; round++) {
		const char *const certs[] = { two_cns, one_cn, no_cn, "QUJD", two_cns, one_cn };
		const int want[] = { 2, 1, 0, -1, 2, 1 };

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			decode(0, certs[i], &req);
			test_assert(req.peer_cert && req.peer_cns == want[i]);
			rg_request_clear(&req);
		}
	}
	printf("ok\n");
	return 0;
}
