#ifndef ROLEGATE_AUDIT_RECORD_H
#define ROLEGATE_AUDIT_RECORD_H

/*
 * The accountability log's record and hash chain (SPEC.md §6). Pure: no I/O,
 * no locks; the writer (plugin/audit.c) and the readers (cli/cli_log.c)
 * both go through this file, so there is one definition of a record.
 *
 * A record is one line of compact JSON with its keys in a fixed order:
 *
 *   {"seq":7,"time":"2026-11-29T21:37:28.123456Z","phase":"request",
 *    "user":"alice","authn":"TLS","groups":["docker-ops"],"roles":["ops"],
 *    "command":"container.start","object":"web","method":"POST",
 *    "uri":"/v1.41/containers/web/start","decision":"allow","role":"ops",
 *    "prev":"<64 hex>","hash":"<64 hex>"}
 *
 * "hash" is always the last member. It is the lowercase hex SHA-256 (or, with
 * a key, HMAC-SHA-256) of the line's own bytes with the trailing
 * `,"hash":"<64 hex>"` removed, i.e. of the exact text `{"seq":...,"prev":"..."}`.
 * Hashing bytes rather than a re-serialization means an auditor needs no JSON
 * canonicalization to re-check it. "prev" is the hash of the record before
 * (64 zeros for the first record ever), so the hash covers prev and every
 * other field.
 *
 * Besides decisions (phase "request"/"response") the writer adds "system"
 * records for events in the log's own life: "rotate" (the first record of a
 * new file after rotation) and "torn" (continuing after a torn tail left by a
 * crash; torn_bytes and torn_sha256 bind the torn bytes into the chain).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "rolegate/request.h"
#include "rolegate/strv.h"

#define RG_AUDIT_DIGEST_LEN 32
#define RG_AUDIT_HEX_LEN 64
/* HMAC keys: shorter ones could be guessed, longer ones are a mistake. */
#define RG_AUDIT_KEY_MIN 16
#define RG_AUDIT_KEY_MAX 4096
/* Longest string field written, in bytes of input; a longer value (a huge
 * URI) is cut at a UTF-8 boundary and ends in "...". */
#define RG_AUDIT_FIELD_MAX 4096
/* Most group/role names written per record; more end with "...". */
#define RG_AUDIT_LIST_MAX 256
/* Readers refuse longer lines (the writer never produces them). */
#define RG_AUDIT_LINE_MAX (8 * 1024 * 1024)
/* Length of the trailing `,"hash":"<64 hex>"}` of every record line. */
#define RG_AUDIT_HASH_TAIL_LEN (9 + RG_AUDIT_HEX_LEN + 2)

/* One decision to record. Strings may be NULL (written as ""). */
struct rg_audit_entry {
	enum rg_phase phase;            /* request.h */
	const char *user, *authn;       /* authn "" or NULL -> "none" */
	const struct rg_strv *groups, *roles;   /* NULL -> [] */
	const char *command, *object, *method, *uri;
	enum rg_verdict decision;       /* decide.h */
	const char *role;               /* written on allow */
	const char *reason;             /* written on deny */
	int status;                     /* written in the response phase */
	const char *id;                 /* written when non-empty: the id a create returned */
	const char *note;               /* written when non-NULL, e.g. "groups from stale cache" */
	const char *host;               /* written when non-empty: gethostname() */
	const char *policy;             /* written when non-empty: the policy revision */
	const json_t *details;          /* written when a non-empty object (details.h) */
};

enum rg_audit_event {
	RG_AUDIT_EVENT_ROTATE,  /* first record of a file that continues another */
	RG_AUDIT_EVENT_TORN,    /* the writer continued after a torn tail */
	RG_AUDIT_EVENT_RELINK,  /* the open file was unlinked or replaced: the path was
	                         * reopened, and records from replay_from on, which may
	                         * have gone only to the old file, were written again
	                         * before this one */
	RG_AUDIT_EVENT_GAP,     /* at start, the log ended before the record its head
	                         * file named: records were removed while rolegate
	                         * was stopped; seq goes on after the head's */
};

/* A record about the log itself (phase "system"). */
struct rg_audit_system {
	enum rg_audit_event event;
	const char *note;                               /* plain words */
	size_t torn_bytes;                              /* TORN: length of the torn bytes */
	unsigned char torn_sha256[RG_AUDIT_DIGEST_LEN]; /* TORN: their SHA-256 */
	uint64_t replay_from;                           /* RELINK: first seq written again (0: none) */
	const char *host;                               /* written when non-empty */
};

/* Where a chain stands: the last record's seq and hash (0 and zeros: none yet). */
struct rg_audit_chain {
	uint64_t seq;
	unsigned char hash[RG_AUDIT_DIGEST_LEN];
};

/* A growable byte buffer. Zero-initialized is empty and valid. */
struct rg_audit_buf {
	char *p;
	size_t len, cap;
};

void rg_audit_buf_free(struct rg_audit_buf *b);

/*
 * The hash of the chain: SHA-256, or HMAC-SHA-256 when a key is given.
 * An object is not thread-safe (it keeps a digest context); the writer uses
 * it under its lock.
 */
struct rg_audit_mac;

/* key NULL or keylen 0: plain SHA-256. Returns NULL when out of memory or
 * when OpenSSL lacks SHA-256/HMAC. The key is copied. */
struct rg_audit_mac *rg_audit_mac_new(const void *key, size_t keylen);
bool rg_audit_mac_keyed(const struct rg_audit_mac *m);
void rg_audit_mac_free(struct rg_audit_mac *m);

/* The chain's MAC (or plain SHA-256 without a key) of data: the head file's
 * seal. Returns 0 or -1. */
int rg_audit_mac_data(struct rg_audit_mac *m, const void *data, size_t len,
		unsigned char out[RG_AUDIT_DIGEST_LEN]);

/*
 * The head file (PATH.head, SPEC.md §6): one line naming the newest durable
 * record, "rolegate-head host=H seq=N hash=HEX mac=HEX\n", where mac is
 * rg_audit_mac_data of the text before " mac=". Formats into out (size
 * RG_AUDIT_HEAD_MAX); returns the length, or -1.
 */
#define RG_AUDIT_HEAD_MAX 512
int rg_audit_head_format(char *out, const char *host, const struct rg_audit_chain *c,
		struct rg_audit_mac *m);

/* Parses a head file's text (len bytes). Fills host (size RG_AUDIT_HEAD_MAX)
 * and c. Returns 0; -1 when malformed; -2 when the mac does not match (a
 * head not written with this key, or changed). */
int rg_audit_head_parse(const char *text, size_t len, char *host, struct rg_audit_chain *c,
		struct rg_audit_mac *m);

/* Plain SHA-256 of data (torn bytes). Returns 0 or -1. */
int rg_audit_sha256(const void *data, size_t len, unsigned char out[RG_AUDIT_DIGEST_LEN]);

/* Writes the 64 lowercase hex digits of d, NUL-terminated. */
void rg_audit_hex(const unsigned char d[RG_AUDIT_DIGEST_LEN], char out[RG_AUDIT_HEX_LEN + 1]);

/*
 * Formats the record after `prev` for e, stamped t, into b (replacing its
 * contents): one line ending in '\n'. Fills next with its seq and hash; the
 * caller adopts next only once the line is written. Returns 0, or -1 when
 * out of memory or the hash failed.
 */
int rg_audit_format(struct rg_audit_buf *b, const struct rg_audit_chain *prev,
		const struct timespec *t, const struct rg_audit_entry *e, struct rg_audit_mac *m,
		struct rg_audit_chain *next);

/* The same for a system record. */
int rg_audit_format_system(struct rg_audit_buf *b, const struct rg_audit_chain *prev,
		const struct timespec *t, const struct rg_audit_system *s, struct rg_audit_mac *m,
		struct rg_audit_chain *next);

/* A record read back. Strings are borrowed from json and never NULL ("" when absent). */
struct rg_audit_record {
	json_t *json;          /* the parsed object (owned) */
	uint64_t seq;
	int64_t time_us;       /* microseconds since the epoch */
	const char *time, *phase, *user, *authn, *command, *object, *method, *uri;
	const char *decision, *role, *reason, *id, *note, *event, *host, *policy;
	const json_t *details; /* object, or NULL when absent */
	uint64_t replay_from;  /* system "relink" records: 0 when none were written again */
	const json_t *groups, *roles;   /* arrays, or NULL when absent */
	int status;            /* 0 when absent */
	bool system;           /* phase "system" */
	size_t torn_bytes;     /* system "torn" records */
	unsigned char torn_sha256[RG_AUDIT_DIGEST_LEN];
	unsigned char prev[RG_AUDIT_DIGEST_LEN];
	unsigned char hash[RG_AUDIT_DIGEST_LEN];
};

/*
 * Parses one line (without its '\n'; need not be NUL-terminated). Checks the
 * shape: a JSON object without duplicate keys, seq >= 1, time in the record's
 * format, a known phase, prev and hash as 64 lowercase hex, hash the last
 * member; the other fields, when present, of the right type. Does not check
 * the hash (rg_audit_record_check does). Returns 0, or -1 with *errstr set
 * (static, plain words); free with rg_audit_record_clear() either way.
 */
int rg_audit_record_parse(const char *line, size_t len, struct rg_audit_record *r,
		const char **errstr);

/* Whether r's hash is the MAC of its line (as given to the parse). Returns 0
 * when it is, -1 when not (or the hash could not be computed). */
int rg_audit_record_check(const struct rg_audit_record *r, const char *line, size_t len,
		struct rg_audit_mac *m);

void rg_audit_record_clear(struct rg_audit_record *r);

/*
 * Chain verification over a series of files, fed line by line in order.
 * Accepts: a chain starting at seq 1 with prev zeros, or at a system record
 * (a file continuing a rotated-away one), or at the records a "relink"
 * record of the same file says it wrote again (replay_from); each record's seq one more than the
 * last, prev equal to the last hash, hash matching the line; invalid lines
 * only as a torn tail, i.e. one line: either the unterminated last line of
 * the series, or a line immediately followed by a "torn" record whose
 * torn_bytes and torn_sha256 match it. A complete line that is not a valid
 * record is tampering, wherever it is.
 */
struct rg_audit_verifier;

/* Where the chain breaks, or a remark on the way (file = index in the series). */
struct rg_audit_finding {
	size_t file;
	unsigned long line;
	uint64_t seq;          /* the record's seq, or the expected one */
	char what[256];
};

/* notice (may be NULL) receives remarks that are not breaks: torn lines
 * recovered, a chain that starts after rotation. m is borrowed. */
struct rg_audit_verifier *rg_audit_verifier_new(struct rg_audit_mac *m,
		void (*notice)(void *arg, const struct rg_audit_finding *f), void *arg);

/*
 * Feeds line `lineno` of file `file`, without its '\n'; terminated says
 * whether a '\n' followed it. Returns 0, or -1 with *brk filled at the first
 * break (then stop feeding).
 */
int rg_audit_verifier_feed(struct rg_audit_verifier *v, size_t file, unsigned long lineno,
		const char *line, size_t len, bool terminated, struct rg_audit_finding *brk);

/* After the last line: returns 0 and the count of chained records in *records,
 * or -1 with *brk filled (invalid lines that are not a torn tail). */
int rg_audit_verifier_finish(struct rg_audit_verifier *v, uint64_t *records,
		struct rg_audit_finding *brk);

void rg_audit_verifier_free(struct rg_audit_verifier *v);

/* Most expectations one verifier holds (the head file and an anchor). */
#define RG_AUDIT_EXPECT_MAX 4

/*
 * Asks the verifier to find record seq with hash (a head file or a
 * checkpoint read from elsewhere; source names it in findings, "the head
 * file"). Set before feeding. A chain with that seq and another hash breaks
 * at that record; a chain that ends before seq breaks at finish (the log was
 * truncated); a chain that starts after seq (its file was not given) is only
 * remarked upon. Returns 0, or -1 when RG_AUDIT_EXPECT_MAX are set already.
 */
int rg_audit_verifier_expect(struct rg_audit_verifier *v, uint64_t seq,
		const unsigned char hash[RG_AUDIT_DIGEST_LEN], const char *source);

/* Where the chain fed so far ends (seq 0: no record). */
void rg_audit_verifier_end(const struct rg_audit_verifier *v, struct rg_audit_chain *out);

/*
 * Parses a time for query filters: RFC 3339 ("2026-11-29T21:37:28Z",
 * "...28.5+01:00"; a date alone is midnight UTC; without an offset, UTC), or
 * relative to now_us: "90s", "15m", "2h", "7d" ago. Returns 0 with *out_us
 * (µs since the epoch), or -1 when s is neither.
 */
int rg_audit_time_parse(const char *s, int64_t now_us, int64_t *out_us);

/* Whether audit.responses asks to record the response to a call of command:
 * "mutating" as the route table says (SPEC.md §5, rg_command_mutating). */
bool rg_audit_records_response(enum rg_responses r, const char *command);

#endif
