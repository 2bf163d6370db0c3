/* `rolegate log query`: filters, --object through creates and renames,
 * --detail, escaped text or JSON lines, --follow. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "rolegate/audit.h"
#include "rolegate/imageref.h"
#include "rolegate/cli.h"
#include "rolegate/policy.h"
#include "rolegate/route.h"
#include "cli_log.h"

/* ---- sorted string sets (ids can be many) ---- */

struct set {
	char **v;
	size_t n, cap;
	bool sorted;
};

static int set_add(struct set *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap > 0 ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(str)) == NULL)
		return -1;
	s->n++;
	s->sorted = false;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(struct set *s)
{
	size_t out = 0;

	if (s->sorted || s->n == 0)   /* qsort(NULL, 0, ...) is undefined */
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (out > 0 && strcmp(s->v[out - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
	s->sorted = true;
}

/* First index whose element is >= key. */
static size_t set_lower(const struct set *s, const char *key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool set_has(struct set *s, const char *key)
{
	size_t i;

	set_sort(s);
	i = set_lower(s, key);
	return i < s->n && strcmp(s->v[i], key) == 0;
}

/* How many elements start with prefix. */
static size_t set_count_prefix(struct set *s, const char *prefix)
{
	size_t len = strlen(prefix), n = 0;

	set_sort(s);
	for (size_t i = set_lower(s, prefix); i < s->n && strncmp(s->v[i], prefix, len) == 0; i++)
		n++;
	return n;
}

static void set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- --object: the object, the ids it was created as, and their short forms ---- */

struct object_match {
	const char *name;
	/* name as an image reference in the records' full form ("busybox" is
	 * docker.io/library/busybox:latest, SPEC.md §5); "" when not one */
	char image[RG_OBJECT_MAX];
	struct set names;      /* names of the object (the asked name, names created with its id) */
	struct set ids;        /* ids the daemon returned for creates of it */
	struct set all_ids;    /* every id in the log: short forms must be unique among them */
	struct set all_names;  /* every name something was created as */
	bool renamed;          /* a rename made a name of the object that it was not before */
};

/*
 * A record's object as the name dockerd gave: a container created as
 * "/web" is "web" (dockerd takes one leading '/' off; records written before
 * round 14 kept it).
 */
static const char *object_name(const struct rg_audit_record *r)
{
	if (r->object[0] == '/' && strcmp(r->command, "container.create") == 0)
		return r->object + 1;
	return r->object;
}

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);

	return n >= ID_PREFIX_MIN && strspn(s, "0123456789abcdef") == n;
}

/*
 * A rename dockerd carried out (its response record, 2xx): the object is the
 * old name, ?name= the new one. Either name of the object asked about makes
 * the other one of its names too, so --object follows renames both ways.
 */
static int object_learn_rename(struct object_match *m, const struct rg_audit_record *r)
{
	const char *q = strchr(r->uri, '?');
	char to[RG_OBJECT_MAX];

	if (q == NULL || rg_query_get(q + 1, "name", to, sizeof(to)) < 0 || to[0] == '\0' ||
	    r->object[0] == '\0')
		return 0;
	/* rename?name=/web makes "web", as a create does (object_name) */
	if (to[0] == '/')
		memmove(to, to + 1, strlen(to));
	if (to[0] == '\0')
		return 0;
	if (set_add(&m->all_names, to) < 0)
		return -1;
	if ((strcmp(r->object, m->name) == 0 || set_has(&m->names, r->object) ||
	     set_has(&m->ids, r->object)) && !set_has(&m->names, to)) {
		m->renamed = true;
		return set_add(&m->names, to);
	}
	if ((strcmp(to, m->name) == 0 || set_has(&m->names, to)) && strcmp(r->object, m->name) != 0 &&
	    !set_has(&m->names, r->object)) {
		m->renamed = true;
		return set_add(&m->names, r->object);
	}
	return 0;
}

/* Learns from a create's response record (object + id), and from renames.
 * Returns 0 or -1 (no memory). */
static int object_learn(struct object_match *m, const struct rg_audit_record *r)
{
	size_t nlen = strlen(m->name);

	if (strcmp(r->command, "container.rename") == 0 && strcmp(r->phase, "response") == 0 &&
	    r->status >= 200 && r->status <= 299)
		return object_learn_rename(m, r);
	const char *o = object_name(r);

	if (r->id[0] == '\0')
		return 0;
	if (set_add(&m->all_ids, r->id) < 0 || (o[0] != '\0' && set_add(&m->all_names, o) < 0))
		return -1;
	if (strcmp(o, m->name) == 0 || strcmp(r->id, m->name) == 0 ||
	    (o[0] != '\0' && set_has(&m->names, o)) ||
	    (is_hex_prefix(m->name) && strncmp(r->id, m->name, nlen) == 0)) {
		if (set_add(&m->ids, r->id) < 0 || (o[0] != '\0' && set_add(&m->names, o) < 0))
			return -1;
	}
	return 0;
}

/* Whether the record names, in details.targets, m as a local image name it
 * created (a tag, commit, import or build: its object is the source). */
static bool target_matches(const struct object_match *m, const struct rg_audit_record *r)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(r->details, "targets"), i, x) {
		const char *t = json_string_value(x);

		if (t != NULL && (strcmp(t, m->name) == 0 || (m->image[0] != '\0' && strcmp(t, m->image) == 0)))
			return true;
	}
	return false;
}

/* Whether c names the object m (a name or id learned for it). */
static bool names_m(struct object_match *m, const char *c)
{
	return c != NULL && c[0] != '\0' &&
		(strcmp(c, m->name) == 0 || set_has(&m->names, c) || set_has(&m->ids, c));
}

/*
 * Whether the record's details name m as another container it acts on: the
 * container a network connect or disconnect moves (details.container; the
 * object is the network), one a create mounts the volumes of
 * (volumes_from) or joins the namespaces of (network/pid/ipc
 * "container:X").
 */
static bool container_matches(struct object_match *m, const struct rg_audit_record *r)
{
	static const char *const ns[] = { "network", "pid", "ipc" };
	const json_t *x;
	size_t i;

	if (names_m(m, json_string_value(json_object_get(r->details, "container"))))
		return true;
	json_array_foreach(json_object_get(r->details, "volumes_from"), i, x) {
		if (names_m(m, json_string_value(x)))
			return true;
	}
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		const char *v = json_string_value(json_object_get(r->details, ns[i]));

		if (v != NULL && strncmp(v, "container:", 10) == 0 && names_m(m, v + 10))
			return true;
	}
	return false;
}

static bool object_matches(struct object_match *m, const struct rg_audit_record *r)
{
	const char *o = object_name(r);
	size_t i;

	if (container_matches(m, r))
		return true;

	if (strcmp(o, m->name) == 0 || strcmp(r->id, m->name) == 0 ||
	    (m->image[0] != '\0' && strcmp(o, m->image) == 0) || target_matches(m, r))
		return true;
	if ((o[0] != '\0' && (set_has(&m->names, o) || set_has(&m->ids, o))) ||
	    (r->id[0] != '\0' && set_has(&m->ids, r->id)))
		return true;
	/* A short id, as docker users type it: a unique prefix of one of its ids. */
	if (!is_hex_prefix(o) || set_has(&m->all_names, o) || set_count_prefix(&m->all_ids, o) != 1)
		return false;
	set_sort(&m->ids);
	i = set_lower(&m->ids, o);
	return i < m->ids.n && strncmp(m->ids.v[i], o, strlen(o)) == 0;
}

static void object_free(struct object_match *m)
{
	set_free(&m->names);
	set_free(&m->ids);
	set_free(&m->all_ids);
	set_free(&m->all_names);
}

/* ---- query ---- */

/* Whether one detail value (a string, number or boolean) matches glob. */
static bool value_matches(const json_t *v, const char *glob)
{
	char num[64];

	if (json_is_string(v))
		return fnmatch(glob, json_string_value(v), 0) == 0;
	if (json_is_boolean(v))
		return fnmatch(glob, json_is_true(v) ? "true" : "false", 0) == 0;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return fnmatch(glob, num, 0) == 0;
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return fnmatch(glob, num, 0) == 0;
	}
	return false;
}

/*
 * A capability the way dockerd names it: "caps=SYS_ADMIN", "caps=sys_admin"
 * and "caps=CAP_SYS_ADMIN" all find CAP_SYS_ADMIN (and a record written
 * before capabilities were recorded as dockerd applies them, "SYS_ADMIN").
 */
static void ascii_upper(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; in[n] != '\0' && n + 1 < outlen; n++)
		out[n] = (in[n] >= 'a' && in[n] <= 'z') ? (char)(in[n] - 'a' + 'A') : in[n];
	out[n] = '\0';
}

static bool cap_matches(const json_t *v, const char *glob)
{
	const char *c = json_string_value(v);
	char g[256], u[256], full[262];

	if (c == NULL)
		return false;
	ascii_upper(glob, g, sizeof(g));
	ascii_upper(c, u, sizeof(u));
	if (fnmatch(g, u, 0) == 0)
		return true;
	/* the glob or the recorded name without CAP_: compare with it in front */
	snprintf(full, sizeof(full), "CAP_%s", g);
	if (strncmp(u, "CAP_", 4) == 0 && fnmatch(full, u, 0) == 0)
		return true;
	snprintf(full, sizeof(full), "CAP_%s", u);
	return strncmp(g, "CAP_", 4) == 0 && fnmatch(g, full, 0) == 0;
}

/*
 * --detail KEY=GLOB against a record's details: KEY names a field
 * ("limits.memory" reaches into an object; "bind" is "binds", as for every
 * list field); a list matches when any element matches.
 */
static bool detail_matches(const json_t *details, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char key[128], plural[130];
	const json_t *v = details;
	char *part, *save = NULL;
	size_t i;
	const json_t *x;

	if (details == NULL || (size_t)(eq - spec) >= sizeof(key))
		return false;
	memcpy(key, spec, (size_t)(eq - spec));
	key[eq - spec] = '\0';
	for (part = strtok_r(key, ".", &save); part != NULL && v != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		const json_t *next = json_object_get(v, part);

		if (next == NULL) {
			snprintf(plural, sizeof(plural), "%ss", part);
			next = json_object_get(v, plural);
		}
		v = next;
	}
	if (v == NULL)
		return false;
	if (!json_is_array(v))
		return value_matches(v, eq + 1);
	json_array_foreach(v, i, x) {
		if (v == json_object_get(details, "caps") ? cap_matches(x, eq + 1) : value_matches(x, eq + 1))
			return true;
	}
	return false;
}

static bool record_matches(const struct options *o, struct object_match *om,
		const struct rg_audit_record *r)
{
	if (o->has_since && r->time_us < o->since)
		return false;
	if (o->has_until && r->time_us > o->until)
		return false;
	if (r->system)
		return o->user == NULL && o->command == NULL && o->decision == NULL && o->object == NULL &&
			o->ndetails == 0 && (o->host == NULL || strcmp(r->host, o->host) == 0);
	if (o->user != NULL && strcmp(r->user, o->user) != 0)
		return false;
	if (o->command != NULL && !rg_pattern_match(o->command, r->command))
		return false;
	if (o->decision != NULL && strcmp(r->decision, o->decision) != 0)
		return false;
	if (o->object != NULL && !object_matches(om, r))
		return false;
	if (o->host != NULL && strcmp(r->host, o->host) != 0)
		return false;
	for (size_t i = 0; i < o->ndetails; i++) {
		if (!detail_matches(r->details, o->details[i]))
			return false;
	}
	return true;
}

#define NCOLS 7

/* One output row: the JSON line as stored, or the table cells. */
struct row {
	char *json;
	char *cell[NCOLS];
};

static const char *const headers[NCOLS] = {
	"TIME", "USER", "ROLES", "COMMAND", "OBJECT", "DECISION", "REASON",
};

static char *join_array(const json_t *a)
{
	size_t len = 1, i;
	const json_t *x;
	char *s;

	json_array_foreach(a, i, x)
		len += json_string_length(x) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	json_array_foreach(a, i, x) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, json_string_value(x));
	}
	return s;
}

/* A table cell (cli_log_cell). */
static char *cell(const char *s)
{
	return cli_log_cell(s);
}

static int make_row(const struct options *o, const struct rg_audit_record *r, const char *line,
		size_t len, struct row *row)
{
	char extra[512];
	char *roles;

	memset(row, 0, sizeof(*row));
	if (o->json) {
		char *raw = strndup(line, len);

		row->json = raw != NULL ? cli_log_escape(raw, true) : NULL;
		free(raw);
		return row->json != NULL ? 0 : -1;
	}
	if (r->system) {
		snprintf(extra, sizeof(extra), "audit.%s", r->event);
		row->cell[0] = cell(r->time);
		row->cell[1] = cell("");
		row->cell[2] = cell("");
		row->cell[3] = cell(extra);
		row->cell[4] = cell("");
		row->cell[5] = cell("");
		row->cell[6] = cell(r->note);
	} else {
		if (strcmp(r->phase, "response") == 0)
			snprintf(extra, sizeof(extra), "response: status %d%s%.64s", r->status,
					r->id[0] != '\0' ? ", id " : "", r->id);
		else if (strcmp(r->decision, "allow") == 0)
			snprintf(extra, sizeof(extra), "role %s", r->role);
		else
			snprintf(extra, sizeof(extra), "%s", r->reason);
		roles = r->roles != NULL ? join_array(r->roles) : strdup("");
		row->cell[0] = cell(r->time);
		row->cell[1] = cell(r->user);
		row->cell[2] = cell(roles != NULL ? roles : "");
		row->cell[3] = cell(r->command);
		row->cell[4] = cell(r->object);
		row->cell[5] = cell(r->decision);
		row->cell[6] = cell(extra);
		free(roles);
	}
	for (int i = 0; i < NCOLS; i++) {
		if (row->cell[i] == NULL)
			return -1;
	}
	return 0;
}

static void row_free(struct row *row)
{
	free(row->json);
	for (int i = 0; i < NCOLS; i++)
		free(row->cell[i]);
	memset(row, 0, sizeof(*row));
}

static void print_row(const struct row *row, const size_t *width)
{
	if (row->json != NULL) {
		printf("%s\n", row->json);
		return;
	}
	for (int i = 0; i < NCOLS - 1; i++)
		printf("%-*s  ", (int)width[i], row->cell[i]);
	printf("%s\n", row->cell[NCOLS - 1]);
}

/* Matching rows: all of them, or the last `limit` in a ring. */
struct rows {
	struct row *v;
	size_t n, cap, start, limit;
	uint64_t matched;
};

static int rows_add(struct rows *rs, struct row *row)
{
	rs->matched++;
	if (rs->limit > 0 && rs->n == rs->limit) {
		row_free(&rs->v[rs->start]);
		rs->v[rs->start] = *row;
		rs->start = (rs->start + 1) % rs->limit;
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap > 0 ? rs->cap * 2 : 64;
		struct row *v;

		if (rs->limit > 0 && cap > rs->limit)
			cap = rs->limit;
		v = realloc(rs->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *row;
	return 0;
}

/* Prints the rows kept, the header first if not yet printed; widths only grow. */
static void rows_print(struct rows *rs, bool json, size_t *width, bool *headed)
{
	for (int c = 0; c < NCOLS; c++) {
		if (width[c] < strlen(headers[c]))
			width[c] = strlen(headers[c]);
	}
	for (size_t i = 0; i < rs->n && !json; i++) {
		for (int c = 0; c < NCOLS; c++) {
			size_t l = strlen(rs->v[i].cell[c]);

			if (l > width[c])
				width[c] = l;
		}
	}
	if (!json && !*headed) {
		for (int c = 0; c < NCOLS - 1; c++)
			printf("%-*s  ", (int)width[c], headers[c]);
		printf("%s\n", headers[NCOLS - 1]);
	}
	*headed = true;
	for (size_t i = 0; i < rs->n; i++)
		print_row(&rs->v[(rs->start + i) % rs->n], width);
	fflush(stdout);
}

/* Forgets the rows kept (printed), keeping the array for the next ones. */
static void rows_clear(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		row_free(&rs->v[i]);
	rs->n = rs->start = 0;
}

static void rows_free(struct rows *rs)
{
	rows_clear(rs);
	free(rs->v);
}

/* Learns the ids of one line (cli_log_line_fn). */
static int learn_line(void *arg, const struct reader *r, size_t len)
{
	struct rg_audit_record rec;
	const char *why;
	int bad = rg_audit_record_parse(r->line, len, &rec, &why) == 0 && object_learn(arg, &rec) < 0;

	rg_audit_record_clear(&rec);
	if (bad) {
		fprintf(stderr, "rolegate: out of memory\n");
		return 2;
	}
	return 0;
}

/*
 * Pass one of --object: learn every create's id, so later short ids tie back.
 * Asked for the name an object was renamed to, the rename is read after the
 * create of the old name: a pass that learned a name from a rename is
 * followed by another, so the ids created under that name are learned too
 * (one more pass per rename in a chain; none without renames).
 */
static int learn_objects(const struct options *o, struct object_match *om)
{
	do {
		om->renamed = false;
		if (cli_log_each_line(o, learn_line, om, NULL) != 0)
			return -1;
	} while (om->renamed);
	return 0;
}

/* Handles one line for query: returns 1 matched (row filled), 0 not, -1 no memory. */
static int query_line(const struct options *o, struct object_match *om, const char *line, size_t len,
		struct row *row, unsigned long *invalid)
{
	struct rg_audit_record rec;
	const char *why;
	int rc = 0;

	if (rg_audit_record_parse(line, len, &rec, &why) < 0) {
		(*invalid)++;
		rg_audit_record_clear(&rec);
		return 0;
	}
	if (o->follow && o->object != NULL && object_learn(om, &rec) < 0)
		rc = -1;
	else if (record_matches(o, om, &rec))
		rc = make_row(o, &rec, line, len, row) < 0 ? -1 : 1;
	rg_audit_record_clear(&rec);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* --follow: print new matching records as they are appended; survive rotation. */
static int follow(const struct options *o, struct object_match *om, struct reader *r,
		const size_t *width, unsigned long *invalid)
{
	for (;;) {
		struct stat now, open_st;
		struct row row;
		size_t len;
		bool term;
		int got;

		while ((got = cli_log_next_line(r, &len, &term, true)) == 1) {
			int m = query_line(o, om, r->line, len, &row, invalid);

			if (m < 0)
				return 2;
			if (m == 1) {
				print_row(&row, width);
				row_free(&row);
				fflush(stdout);
			}
		}
		if (got < 0)
			return 2;
		sleep_ms(FOLLOW_POLL_MS);
		if (fstat(fileno(r->f), &open_st) < 0)
			return 2;
		if (stat(r->name, &now) < 0)
			continue;  /* renamed, the new file not there yet */
		if (now.st_dev == open_st.st_dev && now.st_ino == open_st.st_ino) {
			if (now.st_size < ftell(r->f))
				fseek(r->f, 0, SEEK_SET);  /* truncated in place */
			continue;
		}
		/* Rotated: finish the old file, then go on with the new one. */
		while ((got = cli_log_next_line(r, &len, &term, false)) == 1) {
			if (query_line(o, om, r->line, len, &row, invalid) == 1) {
				print_row(&row, width);
				row_free(&row);
			}
		}
		fclose(r->f);
		r->f = fopen(r->name, "re");
		r->lineno = 0;
		if (r->f == NULL) {
			fprintf(stderr, "rolegate: cannot open %s: %s\n", r->name, strerror(errno));
			return 2;
		}
	}
}

/*
 * A table is aligned over blocks of this many rows, printed as each block
 * fills: a query matching every record of a large log kept them all before
 * (155 MB for 300 000), and a log of millions would run the auditor's shell
 * out of memory. A later block may widen a column; it never narrows.
 */
#define QUERY_BLOCK_ROWS 10000

struct query {
	const struct options *o;
	struct object_match om;
	struct rows rs;
	unsigned long invalid;
	size_t width[NCOLS];
	bool headed;           /* the table's header is printed */
};

/* Keeps one line if it matches (cli_log_line_fn). */
static int collect_line(void *arg, const struct reader *r, size_t len)
{
	struct query *q = arg;
	struct row row;
	int m = query_line(q->o, &q->om, r->line, len, &row, &q->invalid);

	/* --json needs no column widths: each line is printed as it is found,
	 * so that a query matching millions of records (642 MB for 1.3 M
	 * before) runs in constant memory (docs/redteam-round13-avail.md). */
	if (m == 1 && q->o->json && q->o->limit == 0) {
		q->rs.matched++;
		print_row(&row, NULL);
		row_free(&row);
		return 0;
	}
	if (m < 0 || (m == 1 && rows_add(&q->rs, &row) < 0)) {
		fprintf(stderr, "rolegate: out of memory\n");
		return 2;
	}
	if (q->o->limit == 0 && q->rs.n == QUERY_BLOCK_ROWS) {
		rows_print(&q->rs, q->o->json, q->width, &q->headed);
		rows_clear(&q->rs);
	}
	return 0;
}

int cli_log_query(struct options *o)
{
	struct query q = { .o = o, .om = { .name = o->object }, .rs = { .limit = o->limit } };
	struct reader last;
	int rc;

	cli_log_order_files(o);
	if (o->object != NULL && strncmp(o->object, "sha256:", 7) != 0 &&
	    rg_imageref_normalize(o->object, q.om.image, sizeof(q.om.image)) != 0)
		q.om.image[0] = '\0';
	if (o->object != NULL && learn_objects(o, &q.om) < 0) {
		object_free(&q.om);
		return 2;
	}
	rc = cli_log_each_line(o, collect_line, &q, o->follow ? &last : NULL);
	if (rc == 0 && o->follow && o->nfiles > 0) {
		rows_print(&q.rs, o->json, q.width, &q.headed);
		rc = follow(o, &q.om, &last, q.width, &q.invalid);
		cli_log_reader_close(&last);
	}
	if (rc == 0 && !o->follow && q.rs.n > 0)
		rows_print(&q.rs, o->json, q.width, &q.headed);
	if (q.invalid > 0)
		fprintf(stderr, "rolegate: %lu line(s) are not valid records (see 'rolegate log verify')\n",
				q.invalid);
	rows_free(&q.rs);
	object_free(&q.om);
	if (rc != 0)
		return rc;
	return q.rs.matched > 0 ? 0 : 1;
}
