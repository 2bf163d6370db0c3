/*
 * rolegate-micro: where rolegate's time per call goes, in process, one
 * thread, no sockets. For the captured dockerd calls (bench/calls) it
 * times each step of rg_authz_call() and the parse-only reference's work
 * in a loop and prints nanoseconds per call:
 *
 *   outer        json_loadb of the call, as the parse-only reference does
 *   outer+dup    the same with JSON_REJECT_DUPLICATES, as authz.c did
 *   parse-only   what the parse-only reference does per call (outer JSON,
 *                base64 bodies, inner JSON)
 *   request      json_loadb (as outer+dup) + rg_request_from_call (base64,
 *                route): how authz.c decoded a call before rg_request_decode
 *   decode       rg_request_decode: the same request read in one pass
 *   authz        rg_authz_call without an audit log: decode (as above) + decide
 *                + answer
 *   authz+audit  rg_authz_call with audit.sync = none to a file in --dir
 *   answer       building {"Allow":true} with json_pack + json_dumps
 *
 *   rolegate-micro [--calls DIR] [--dir DIR] [--ms N]
 *
 * It prints figures; nothing is pass/fail.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "bench-config.h"
#include "rgclient.h"
#include "rolegate/audit.h"
#include "rolegate/authz.h"
#include "rolegate/policy.h"
#include "rolegate/policyfile.h"

#ifndef BENCH_CALLS_DIR
#define BENCH_CALLS_DIR "bench/calls"
#endif

static volatile size_t sink;

/* The parse-only reference's work (rolegate-bench.c, parse_handle). */
static int decode_member(const json_t *call, const char *key)
{
	const json_t *v = json_object_get(call, key);
	const char *in;
	unsigned char *raw;
	json_t *inner;
	size_t len;
	int n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	in = json_string_value(v);
	len = json_string_length(v);
	if (len % 4 != 0)
		return -1;
	raw = malloc(len / 4 * 3 + 1);
	if (raw == NULL)
		return -1;
	n = len > 0 ? EVP_DecodeBlock(raw, (const unsigned char *)in, (int)len) : 0;
	if (n > 0 && in[len - 1] == '=')
		n--;
	if (n > 0 && in[len - 2] == '=')
		n--;
	inner = n > 0 ? json_loadb((const char *)raw, (size_t)n, JSON_DECODE_ANY, NULL) : NULL;
	free(raw);
	json_decref(inner);
	return 0;
}

enum step { OUTER, OUTER_DUP, PARSE_ONLY, REQUEST, DECODE, AUTHZ, AUTHZ_AUDIT, ANSWER, NSTEPS };

static const char *const step_names[NSTEPS] = {
	"outer", "outer+dup", "parse-only", "request", "decode", "authz", "authz+audit", "answer",
};

struct ctx {
	struct rg_runtime rt;
	struct rg_audit *audit;
};

static void run_step(enum step s, struct ctx *c, const struct rgc_call *call)
{
	json_t *o;
	char *out;
	int status;
	struct rg_request req;
	const char *err;

	switch (s) {
	case OUTER:
		o = json_loadb(call->body, call->body_len, 0, NULL);
		sink += o != NULL;
		json_decref(o);
		break;
	case OUTER_DUP:
		o = json_loadb(call->body, call->body_len, JSON_REJECT_DUPLICATES, NULL);
		sink += o != NULL;
		json_decref(o);
		break;
	case PARSE_ONLY:
		o = json_loadb(call->body, call->body_len, 0, NULL);
		sink += decode_member(o, "RequestBody") + decode_member(o, "ResponseBody");
		json_decref(o);
		break;
	case REQUEST:
		o = json_loadb(call->body, call->body_len, JSON_REJECT_DUPLICATES, NULL);
		if (rg_request_from_call(&req, call->response_phase ? RG_PHASE_RESPONSE : RG_PHASE_REQUEST,
				o, c->rt.policy->plugin.max_body, &err) == 0)
			rg_request_clear(&req);
		json_decref(o);
		break;
	case DECODE:
		if (rg_request_decode(&req, call->response_phase ? RG_PHASE_RESPONSE : RG_PHASE_REQUEST,
				call->body, call->body_len, c->rt.policy->plugin.max_body, &err) == 0)
			rg_request_clear(&req);
		break;
	case AUTHZ:
	case AUTHZ_AUDIT:
		out = rg_authz_call(&c->rt, s == AUTHZ_AUDIT ? c->audit : NULL,
				call->response_phase ? RG_PHASE_RESPONSE : RG_PHASE_REQUEST,
				call->body, call->body_len, &status);
		sink += strlen(out);
		free(out);
		break;
	case ANSWER:
		o = json_pack("{s:b}", "Allow", 1);
		out = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		sink += strlen(out);
		free(out);
		break;
	case NSTEPS:
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ns per run of step on call, over about ms milliseconds. */
static double time_step(enum step s, struct ctx *c, const struct rgc_call *call, int ms)
{
	long n = 0, batch = 16;
	double t0 = now_s(), t;

	for (int i = 0; i < 64; i++)
		run_step(s, c, call);
	t0 = now_s();
	do {
		for (long i = 0; i < batch; i++)
			run_step(s, c, call);
		n += batch;
		t = now_s();
	} while ((t - t0) * 1000 < ms);
	return (t - t0) * 1e9 / (double)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'C' },
		{ "dir", required_argument, NULL, 'd' },
		{ "ms", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *calls_dir = BENCH_CALLS_DIR, *base = "/tmp";
	char dir[4096], conf[4200];
	struct rgc_call *calls;
	struct ctx c = { 0 };
	struct rg_errlist errs = { 0 };
	double total[NSTEPS] = { 0 };
	char err[512], cmd[4300];
	int ncalls, ms = 300, opt;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'C': calls_dir = optarg; break;
		case 'd': base = optarg; break;
		case 'm': ms = atoi(optarg); break;
		case 'h':
			printf("usage: rolegate-micro [--calls DIR] [--dir DIR] [--ms N]\n");
			return 0;
		default: return 2;
		}
	}
	ncalls = rgc_calls_load(calls_dir, NULL, &calls);
	if (ncalls < 0)
		return 2;
	snprintf(dir, sizeof(dir), "%s/rgmicro.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/rolegate.conf", dir);
	f = fopen(conf, "w");
	if (f == NULL)
		return 2;
	for (const char *p = bench_default_template; *p != '\0';) {
		if (strncmp(p, "@DIR@", 5) == 0) {
			fputs(dir, f);
			p += 5;
		} else if (strncmp(p, "@SYNC@", 6) == 0) {
			fputs("none", f);
			p += 6;
		} else {
			fputc(*p++, f);
		}
	}
	fclose(f);
	c.rt.refs = 1;
	c.rt.policy = rg_policy_load(conf, &errs, NULL);
	if (c.rt.policy == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
		return 2;
	}
	c.audit = rg_audit_open(&c.rt.policy->audit, err, sizeof(err));
	if (c.audit == NULL) {
		fprintf(stderr, "rolegate-micro: %s\n", err);
		return 2;
	}

	printf("ns per call, %d ms per figure; audit log in %s (sync = none)\n\n", ms, dir);
	printf("%-16s %6s", "call", "bytes");
	for (int s = 0; s < NSTEPS; s++)
		printf(" %11s", step_names[s]);
	printf("\n");
	for (int i = 0; i < ncalls; i++) {
		printf("%-16s %6zu", calls[i].name, calls[i].body_len);
		for (int s = 0; s < NSTEPS; s++) {
			double ns = time_step((enum step)s, &c, &calls[i], ms);

			total[s] += ns;
			printf(" %11.0f", ns);
		}
		printf("\n");
		fflush(stdout);
	}
	printf("%-16s %6s", "mean of the mix", "");
	for (int s = 0; s < NSTEPS; s++)
		printf(" %11.0f", total[s] / ncalls);
	/* authz decodes with rg_request_decode, so its parts are decode, then the rest. */
	printf("\n\nrolegate (authz+audit) / parse-only: %.2f; its parts: decode %.0f ns, "
			"decide+answer (authz minus decode) %.0f ns, audit record %.0f ns\n",
			total[AUTHZ_AUDIT] / total[PARSE_ONLY], total[DECODE] / ncalls,
			(total[AUTHZ] - total[DECODE]) / ncalls, (total[AUTHZ_AUDIT] - total[AUTHZ]) / ncalls);
	printf("one-pass decode: %.0f ns per call against %.0f ns for outer+dup + request "
			"(%.1fx)\n", total[DECODE] / ncalls, total[REQUEST] / ncalls,
			total[REQUEST] / total[DECODE]);

	rg_audit_close(c.audit);
	rg_policy_free(c.rt.policy);
	rgc_calls_free(calls, ncalls);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "rolegate-micro: cannot remove %s\n", dir);
	return (int)(sink & 0);
}
