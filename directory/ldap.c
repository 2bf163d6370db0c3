/*
 * The LDAP client: finds a user's groups in the directory (rolegate/ldap.h).
 *
 * Shaped after nss-pam-ldapd's myldap.c: lazy connect, URIs in order,
 * reconnect when the server drops us, every timeout set, TLS options set on
 * the handle and then a fresh TLS context (LDAP_OPT_X_TLS_NEWCTX) so that
 * they take effect, values escaped with libldap's own escaper, nested groups
 * breadth first with a visited set.
 *
 * Each lookup takes a connection from the pool and gives it back: the pool
 * lock is held only to take or return one, never during network I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>

#include "rolegate/ldap.h"
#include "rolegate/monocond.h"
#include "rolegate/secret.h"
#include "rolegate/utf8.h"

struct conn {
	LDAP *ld;
	size_t uri;            /* index into rg_ldap.uris */
	int64_t idle_since;    /* monotonic ms, when it went back to the pool */
	struct conn *next;
};

/* At most this many "(ATTR=%u)" in user_filter are checked (name_attrs_of). */
#define NAME_ATTRS_MAX 4

struct rg_ldap {
	/* The settings, copied once: the client outlives the policy they came
	 * from (a reload that leaves identity.ldap alone keeps the client). In
	 * it, ca_file "" is libldap's default trust, bind_dn "" anonymous. */
	struct rg_ldap_config c;
	char **uris;           /* c.uri split */
	size_t nuris;

	pthread_mutex_t lock;  /* guards everything below */
	pthread_cond_t conn_freed;
	struct conn *idle;
	unsigned nconns;       /* open or being opened, idle or in use */
	int64_t *uri_failed;   /* per URI: monotonic ms of the last failed connect, 0 = none */
	unsigned long connects;
	struct berval password;  /* replaced by rg_ldap_reread_secret() */
	/* The attributes user_filter compares with the name ("(uid=%u)": uid),
	 * NULL-terminated, for the user search (name_attrs_of). */
	char *name_attrs[NAME_ATTRS_MAX + 1];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_of_ms(int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return tv;
}

/* Appends a message to detail, "; "-separated, truncating safely. */
static void say(char *detail, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *detail, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(detail, len);
	va_list ap;

	if (len == 0 || used + 1 >= len)
		return;
	if (used > 0) {
		snprintf(detail + used, len - used, "; ");
		used = strnlen(detail, len);
	}
	va_start(ap, fmt);
	vsnprintf(detail + used, len - used, fmt, ap);
	va_end(ap);
}

bool rg_ldap_name_valid(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0 || len > max)
		return false;
	while (i < len) {
		size_t n;

		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		/* rbac's one UTF-8 rule (overlongs, surrogates, beyond Unicode),
		 * then the C1 controls U+0080..U+009F: C2 80..C2 9F */
		n = rg_utf8_len(p + i, len - i);
		if (n == 0 || (p[i] == 0xc2 && p[i + 1] <= 0x9f))
			return false;
		i += n;
	}
	return true;
}

/* ---- construction ---------------------------------------------------- */

/*
 * Reads the bind password (rolegate/secret.h): anyone who can read the file
 * can bind as rolegate, and anyone who can write it can make rolegate bind
 * as someone else.
 */
static int read_secret(const char *path, struct berval *out, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t n;

	if (rg_secret_read(path, "bind_password_file", 1, RG_LDAP_SECRET_MAX, &buf, &n, err,
			errlen) != RG_SECRET_OK)
		return -1;
	out->bv_val = (char *)buf;
	out->bv_len = n;
	return 0;
}

static bool is_ldaps(const char *uri)
{
	return strncasecmp(uri, "ldaps://", 8) == 0;
}

static bool uses_tls(const struct rg_ldap *l, const char *uri)
{
	return l->c.starttls || is_ldaps(uri);
}

bool rg_ldap_uri_valid(const char *uri)
{
	LDAPURLDesc *lud = NULL;
	bool ok;

	if (!ldap_is_ldap_url(uri) || ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS)
		return false;
	ok = strcasecmp(lud->lud_scheme, "ldap") == 0 || strcasecmp(lud->lud_scheme, "ldaps") == 0 ||
		strcasecmp(lud->lud_scheme, "ldapi") == 0;
	ldap_free_urldesc(lud);
	return ok;
}

/* Splits the uri setting (whitespace or comma separated) and checks each. */
static int parse_uris(struct rg_ldap *l, const char *list, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;

	copy = strdup(list);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t\r\n,", &save); tok != NULL; tok = strtok_r(NULL, " \t\r\n,", &save)) {
		char **v;

		if (!rg_ldap_uri_valid(tok)) {
			snprintf(err, errlen, "uri: '%s' is not an LDAP URI (ldap://, ldaps:// or ldapi://)", tok);
			goto fail;
		}
		v = realloc(l->uris, (l->nuris + 1) * sizeof(*v));
		if (v == NULL || (v[l->nuris] = strdup(tok)) == NULL) {
			if (v != NULL)
				l->uris = v;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		l->uris = v;
		l->nuris++;
	}
	free(copy);
	if (l->nuris == 0) {
		snprintf(err, errlen, "uri: no LDAP URI given");
		return -1;
	}
	l->uri_failed = calloc(l->nuris, sizeof(*l->uri_failed));
	if (l->uri_failed == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
fail:
	free(copy);
	return -1;
}

/*
 * Whether ca_file is no regular file, looked at without waiting (one that
 * cannot be opened is left to libldap, which says so). OpenSSL reads
 * it with a plain fopen() whenever a TLS context is made (at start, at every
 * reload, at every new connection): a FIFO there blocked the reload in the
 * main thread for good, so later SIGHUPs and SIGTERM were never handled, and
 * /dev/zero would be read for ever (docs/redteam-round12-avail.md).
 */
static bool ca_file_irregular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	bool bad = fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode));

	if (fd >= 0)
		close(fd);
	return bad;
}

/* Sets the options every handle gets. Returns an LDAP result code. */
static int set_options(const struct rg_ldap *l, LDAP *ld, const char *uri, char *detail, size_t len)
{
	struct timeval tv = tv_of_ms(l->c.timeout_ms);
	int v3 = LDAP_VERSION3, deref = LDAP_DEREF_NEVER;
	unsigned int user_timeout = (unsigned int)l->c.timeout_ms;
	const char *what;
	int rc;

	/* the connect, and every synchronous call (bind, StartTLS) */
	if ((rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3)) != LDAP_OPT_SUCCESS) {
		what = "protocol version";
		goto fail;
	}
	if ((rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS) {
		what = "network timeout";
		goto fail;
	}
	if ((rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS) {
		what = "timeout";
		goto fail;
	}
	/* unacknowledged data on a dead peer: give up as soon as an operation would */
	(void)ldap_set_option(ld, LDAP_OPT_TCP_USER_TIMEOUT, &user_timeout);
	/* referrals would be followed with our credentials to servers nobody configured */
	if ((rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS) {
		what = "referrals";
		goto fail;
	}
	/*
	 * Without this, libldap sets the socket non-blocking for an ldaps://
	 * handshake but waits for the server with no deadline, spinning, for
	 * as long as a server that accepted the connection stays silent.
	 * Asynchronous connects make the handshake poll with the network
	 * timeout.
	 */
	if ((rc = ldap_set_option(ld, LDAP_OPT_CONNECT_ASYNC, LDAP_OPT_ON)) != LDAP_OPT_SUCCESS) {
		what = "asynchronous connect";
		goto fail;
	}
	if ((rc = ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON)) != LDAP_OPT_SUCCESS) {
		what = "restart";
		goto fail;
	}
	if ((rc = ldap_set_option(ld, LDAP_OPT_DEREF, &deref)) != LDAP_OPT_SUCCESS) {
		what = "deref";
		goto fail;
	}
	if (uses_tls(l, uri)) {
		int demand = LDAP_OPT_X_TLS_DEMAND, min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, client = 0;

		if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)) != LDAP_OPT_SUCCESS) {
			what = "TLS require cert";
			goto fail;
		}
		if (l->c.ca_file[0] != '\0' && ca_file_irregular(l->c.ca_file)) {
			say(detail, len, "%s: ca_file %s is not a regular file", uri, l->c.ca_file);
			return LDAP_LOCAL_ERROR;
		}
		if (l->c.ca_file[0] != '\0' &&
		    (rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, l->c.ca_file)) != LDAP_OPT_SUCCESS) {
			what = "TLS CA file";
			goto fail;
		}
		if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min)) != LDAP_OPT_SUCCESS) {
			what = "TLS minimum version";
			goto fail;
		}
		/* the options above apply only to a context created after them */
		if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client)) != LDAP_OPT_SUCCESS) {
			say(detail, len, "%s: cannot set up TLS%s%s (check ca_file)", uri,
					l->c.ca_file[0] != '\0' ? " with " : "", l->c.ca_file);
			return LDAP_LOCAL_ERROR;
		}
	}
	return LDAP_SUCCESS;
fail:
	say(detail, len, "%s: cannot set the %s option", uri, what);
	return rc == LDAP_OPT_SUCCESS ? LDAP_LOCAL_ERROR : LDAP_PARAM_ERROR;
}

/*
 * The attributes user_filter holds as "(ATTR=%u)", into l->name_attrs. The
 * directory compares them by its matching rule: uid and sAMAccountName
 * ignore case, insignificant spaces and, after Unicode preparation, width,
 * so a certificate for "ALICE", "alice " or fullwidth "ａｌｉｃｅ" finds alice's
 * entry and her groups, while rolegate's log, `users`, identity.users and
 * ownership know it as another name. find_user() requires one of these
 * attributes to hold the name byte for byte. Other shapes ("%u@corp",
 * extensible matches) are not checked (docs/ldap.md).
 */
static int name_attrs_of(struct rg_ldap *l, const char *filter)
{
	size_t n = 0;

	for (const char *u = strstr(filter, "=%u)"); u != NULL && n < NAME_ATTRS_MAX;
	     u = strstr(u + 1, "=%u)")) {
		const char *a = u;

		while (a > filter && (isalnum((unsigned char)a[-1]) || a[-1] == '-' || a[-1] == '.' ||
				a[-1] == ';'))
			a--;
		if (a == u || a == filter || a[-1] != '(')
			continue;
		l->name_attrs[n] = strndup(a, (size_t)(u - a));
		if (l->name_attrs[n] == NULL)
			return -1;
		n++;
	}
	return 0;
}

struct rg_ldap *rg_ldap_new(const struct rg_ldap_config *c, char *err, size_t errlen)
{
	struct rg_ldap *l;
	int version;

	if (errlen > 0)
		err[0] = '\0';
	if (!c->enabled) {
		snprintf(err, errlen, "identity.ldap is not configured");
		return NULL;
	}
	if (strstr(c->user_filter, "%u") == NULL) {
		snprintf(err, errlen, "user_filter must contain %%u (the user name)");
		return NULL;
	}
	if (strstr(c->group_filter, "%d") == NULL && strstr(c->group_filter, "%u") == NULL) {
		snprintf(err, errlen, "group_filter must contain %%d (the user's DN) or %%u (the user name)");
		return NULL;
	}
	if (c->group_name_attr[0] == '\0' || c->timeout_ms <= 0) {
		snprintf(err, errlen, "group_name_attr must be set and timeout_ms positive");
		return NULL;
	}
	/* libldap sets up its global state on first use; do it here, in one thread */
	(void)ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &version);

	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	(void)rg_monocond_init(&l->conn_freed);

	if (rg_ldap_config_copy(&l->c, c) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (parse_uris(l, c->uri, err, errlen) < 0)
		goto fail;
	if (name_attrs_of(l, l->c.user_filter) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (l->c.bind_dn[0] != '\0' && read_secret(l->c.bind_password_file, &l->password, err, errlen) < 0)
		goto fail;

	/*
	 * Build one TLS context now: it reports an unreadable ca_file at
	 * startup rather than at the first request, and it initializes
	 * libldap's TLS layer while only one thread runs (that first
	 * initialization is not locked inside libldap).
	 */
	for (size_t i = 0; i < l->nuris; i++) {
		LDAP *ld = NULL;
		char detail[512] = "";

		if (!uses_tls(l, l->uris[i]))
			continue;
		if (ldap_initialize(&ld, l->uris[i]) != LDAP_SUCCESS) {
			snprintf(err, errlen, "uri: cannot use '%s'", l->uris[i]);
			goto fail;
		}
		if (set_options(l, ld, l->uris[i], detail, sizeof(detail)) != LDAP_SUCCESS) {
			snprintf(err, errlen, "%s", detail);
			ldap_unbind_ext_s(ld, NULL, NULL);
			goto fail;
		}
		ldap_unbind_ext_s(ld, NULL, NULL);
		break;
	}
	return l;
fail:
	rg_ldap_free(l);
	return NULL;
}

/* ---- connections ----------------------------------------------------- */

/* Appends libldap's diagnostic message for ld, when it has one. */
static void say_ldap(LDAP *ld, char *detail, size_t len, const char *uri, const char *what, int rc)
{
	char *diag = NULL;

	if (ld != NULL)
		(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	/* GnuTLS-based libldap says only "(unknown error code)" about TLS failures */
	if (diag != NULL && diag[0] != '\0' && strcmp(diag, "(unknown error code)") != 0)
		say(detail, len, "%s: %s: %s (%s)", uri, what, ldap_err2string(rc), diag);
	else
		say(detail, len, "%s: %s: %s", uri, what, ldap_err2string(rc));
	ldap_memfree(diag);
}

/*
 * Connects to one URI: options, StartTLS when configured, then a simple
 * bind (anonymous when no bind_dn), which is also what forces the TCP
 * connect, so that a dead server is found here and the next URI tried.
 */
static int open_uri(struct rg_ldap *l, const char *uri, LDAP **out, char *detail, size_t len)
{
	char secret[RG_LDAP_SECRET_MAX];
	struct berval cred = { 0, secret };
	LDAP *ld = NULL;
	int rc;

	*out = NULL;
	rc = ldap_initialize(&ld, uri);
	if (rc != LDAP_SUCCESS) {
		say(detail, len, "%s: %s", uri, ldap_err2string(rc));
		return rc;
	}
	rc = set_options(l, ld, uri, detail, len);
	if (rc != LDAP_SUCCESS)
		goto fail;
	if (l->c.starttls && !is_ldaps(uri)) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			say_ldap(ld, detail, len, uri, "StartTLS", rc);
			if (rc == LDAP_CONNECT_ERROR)
				say(detail, len, "is the server's certificate signed by ca_file, "
						"and does it name the host in the URI?");
			goto fail;
		}
	}
	/* a copy: a reload may replace the password meanwhile */
	pthread_mutex_lock(&l->lock);
	if (l->c.bind_dn[0] != '\0') {
		memcpy(secret, l->password.bv_val, l->password.bv_len);
		cred.bv_len = l->password.bv_len;
	}
	pthread_mutex_unlock(&l->lock);
	rc = ldap_sasl_bind_s(ld, l->c.bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	explicit_bzero(secret, sizeof(secret));
	if (rc != LDAP_SUCCESS) {
		say_ldap(ld, detail, len, uri, l->c.bind_dn[0] != '\0' ? "bind" : "anonymous bind", rc);
		if (rc == LDAP_SERVER_DOWN && is_ldaps(uri))
			say(detail, len, "if the server is up: is its certificate signed by ca_file, "
					"and does it name the host in the URI?");
		goto fail;
	}
	*out = ld;
	return LDAP_SUCCESS;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

/*
 * Opens a connection to the first URI that answers: those that did not fail
 * recently, in the configured order, then those that did.
 */
static int open_any(struct rg_ldap *l, struct conn *c, char *detail, size_t len)
{
	int64_t now = now_ms();
	int rc = LDAP_SERVER_DOWN;
	bool *recent;

	recent = calloc(l->nuris, sizeof(*recent));
	if (recent == NULL) {
		say(detail, len, "out of memory");
		return LDAP_NO_MEMORY;
	}
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nuris; i++)
		recent[i] = l->uri_failed[i] != 0 && now - l->uri_failed[i] < RG_LDAP_URI_HOLDOFF * 1000;
	pthread_mutex_unlock(&l->lock);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->nuris; i++) {
			if (recent[i] != (pass == 1))
				continue;
			rc = open_uri(l, l->uris[i], &c->ld, detail, len);
			pthread_mutex_lock(&l->lock);
			if (rc == LDAP_SUCCESS) {
				l->uri_failed[i] = 0;
				l->connects++;
			} else {
				l->uri_failed[i] = now_ms() | 1;
			}
			pthread_mutex_unlock(&l->lock);
			if (rc == LDAP_SUCCESS) {
				c->uri = i;
				free(recent);
				return rc;
			}
		}
	}
	free(recent);
	return rc;
}

static void close_conn(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ld != NULL)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c);
}

/*
 * Takes a connection: an idle one (reused = true), or a new one, waiting at
 * most timeout_ms for a slot when RG_LDAP_MAX_CONNS are busy. Returns 0, or
 * -1 with detail filled when no connection could be had.
 */
static int pool_get(struct rg_ldap *l, struct conn **out, bool *reused, char *detail, size_t len)
{
	int64_t deadline = now_ms() + l->c.timeout_ms;
	struct timespec ts = { .tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000 };
	struct conn *c = NULL;

	*out = NULL;
	pthread_mutex_lock(&l->lock);
	for (;;) {
		if (l->idle != NULL) {
			c = l->idle;
			l->idle = c->next;
			break;
		}
		if (l->nconns < RG_LDAP_MAX_CONNS) {
			l->nconns++;
			break;
		}
		if (pthread_cond_timedwait(&l->conn_freed, &l->lock, &ts) == ETIMEDOUT &&
		    l->idle == NULL && l->nconns >= RG_LDAP_MAX_CONNS) {
			pthread_mutex_unlock(&l->lock);
			say(detail, len, "all %d LDAP connections stayed busy for %d ms",
					RG_LDAP_MAX_CONNS, l->c.timeout_ms);
			return -1;
		}
	}
	pthread_mutex_unlock(&l->lock);

	if (c != NULL && now_ms() - c->idle_since <= RG_LDAP_IDLE_MAX * 1000) {
		*reused = true;
		*out = c;
		return 0;
	}
	/* a new slot, or an idle connection a firewall may have forgotten */
	if (c != NULL) {
		ldap_unbind_ext_s(c->ld, NULL, NULL);
		c->ld = NULL;
	} else {
		c = calloc(1, sizeof(*c));
	}
	if (c == NULL || open_any(l, c, detail, len) != LDAP_SUCCESS) {
		if (c == NULL)
			say(detail, len, "out of memory");
		free(c);
		pthread_mutex_lock(&l->lock);
		l->nconns--;
		pthread_cond_signal(&l->conn_freed);
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	*reused = false;
	*out = c;
	return 0;
}

static void pool_put(struct rg_ldap *l, struct conn *c)
{
	pthread_mutex_lock(&l->lock);
	c->idle_since = now_ms();
	c->next = l->idle;
	l->idle = c;
	pthread_cond_signal(&l->conn_freed);
	pthread_mutex_unlock(&l->lock);
}

static void pool_drop(struct rg_ldap *l, struct conn *c)
{
	close_conn(c);
	pthread_mutex_lock(&l->lock);
	l->nconns--;
	pthread_cond_signal(&l->conn_freed);
	pthread_mutex_unlock(&l->lock);
}

/* ---- filters --------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* The RFC 4515 escaped form of v (libldap's escaper), or NULL (no memory). */
static char *escape_value(const char *v)
{
	struct berval in = { .bv_len = strlen(v), .bv_val = (char *)v };
	struct berval out = { 0, NULL };
	char *s;

	if (in.bv_len == 0)
		return strdup("");
	if (ldap_bv2escaped_filter_value(&in, &out) != 0 || out.bv_val == NULL)
		return NULL;
	s = strndup(out.bv_val, out.bv_len);
	ber_memfree(out.bv_val);
	return s;
}

/*
 * Appends tpl to b with %u and %d replaced by the already escaped user name
 * and DN; "%%" is a literal '%', any other '%' is copied as is.
 */
static void expand(struct buf *b, const char *tpl, const char *esc_user, const char *esc_dn)
{
	for (const char *p = tpl; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'u') {
			buf_add(b, esc_user, strlen(esc_user));
			p++;
		} else if (p[0] == '%' && p[1] == 'd') {
			buf_add(b, esc_dn, strlen(esc_dn));
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_add(b, "%", 1);
			p++;
		} else {
			buf_add(b, p, 1);
		}
	}
}

/* ---- the lookup ------------------------------------------------------ */

/* One lookup on one connection. */
struct lookup {
	struct rg_ldap *l;
	LDAP *ld;
	const char *uri;
	const char *user;         /* as the certificate names it */
	char *esc_user;
	char *user_dn;
	struct rg_strv visited;   /* group DNs seen */
	struct rg_strv frontier;  /* group DNs whose parents are to be searched */
	struct rg_strv names;     /* group names found */
	bool truncated;
	int rc;                   /* the LDAP result code that ended the lookup */
	char *detail;
	size_t detaillen;
};

/* A failed result code: whether it means "could not ask" rather than "asked, error". */
static enum rg_ldap_status failure_status(int rc)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_TIMEOUT:
	case LDAP_CONNECT_ERROR:
	case LDAP_LOCAL_ERROR:
	case LDAP_TIMELIMIT_EXCEEDED:
	case LDAP_BUSY:
	case LDAP_UNAVAILABLE:
	case LDAP_UNWILLING_TO_PERFORM:
		return RG_LDAP_UNREACHABLE;
	default:
		return RG_LDAP_FAILED;
	}
}

/* Whether a connection that produced rc must not be reused. */
static bool conn_broken(int rc)
{
	return rc < 0 || rc == LDAP_BUSY || rc == LDAP_UNAVAILABLE || rc == LDAP_UNWILLING_TO_PERFORM ||
		rc == LDAP_TIMELIMIT_EXCEEDED;
}

static int search(struct lookup *lk, const char *base, const char *filter, char **attrs,
		int sizelimit, LDAPMessage **res)
{
	struct timeval tv = tv_of_ms(lk->l->c.timeout_ms);

	*res = NULL;
	return ldap_search_ext_s(lk->ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
			&tv, sizelimit, res);
}

/* Whether one value of a name attribute (name_attrs_of) of entry e is the user name, byte for byte. */
static bool spelled_alike(struct lookup *lk, LDAPMessage *e, char *found, size_t foundlen)
{
	size_t len = strlen(lk->user);

	found[0] = '\0';
	for (size_t i = 0; lk->l->name_attrs[i] != NULL; i++) {
		struct berval **v = ldap_get_values_len(lk->ld, e, lk->l->name_attrs[i]);
		bool same = false;

		for (size_t k = 0; v != NULL && v[k] != NULL && !same; k++) {
			same = v[k]->bv_len == len && memcmp(v[k]->bv_val, lk->user, len) == 0;
			if (found[0] == '\0')
				snprintf(found, foundlen, "%s \"%.*s\"", lk->l->name_attrs[i],
						(int)(v[k]->bv_len > 256 ? 256 : v[k]->bv_len), v[k]->bv_val);
		}
		ldap_value_free_len(v);
		if (same)
			return true;
	}
	return false;
}

/* Finds the user's DN. */
static enum rg_ldap_status find_user(struct lookup *lk)
{
	char *no_attrs[] = { LDAP_NO_ATTRS, NULL };
	char **attrs = lk->l->name_attrs[0] != NULL ? lk->l->name_attrs : no_attrs;
	char found[512];
	struct buf f = { 0 };
	LDAPMessage *res = NULL;
	char *dn;
	int n;

	expand(&f, lk->l->c.user_filter, lk->esc_user, "");
	if (f.oom) {
		free(f.p);
		say(lk->detail, lk->detaillen, "out of memory");
		return RG_LDAP_FAILED;
	}
	/* a limit of 2 is enough to see that a name is ambiguous */
	lk->rc = search(lk, lk->l->c.user_base, f.p, attrs, 2, &res);
	free(f.p);
	if (lk->rc != LDAP_SUCCESS && lk->rc != LDAP_SIZELIMIT_EXCEEDED) {
		say_ldap(lk->ld, lk->detail, lk->detaillen, lk->uri, "user search", lk->rc);
		ldap_msgfree(res);
		return failure_status(lk->rc);
	}
	n = ldap_count_entries(lk->ld, res);
	if (n == 0 && lk->rc == LDAP_SUCCESS) {
		ldap_msgfree(res);
		return RG_LDAP_NO_USER;
	}
	if (n != 1 || lk->rc != LDAP_SUCCESS) {
		say(lk->detail, lk->detaillen, "%s: user search: more than one entry matches "
				"user_filter; refusing to guess", lk->uri);
		ldap_msgfree(res);
		lk->rc = LDAP_SUCCESS;
		return RG_LDAP_FAILED;
	}
	/* "ALICE" found alice's entry: not the same name to rolegate (name_attrs_of) */
	if (lk->l->name_attrs[0] != NULL && !spelled_alike(lk, ldap_first_entry(lk->ld, res),
			found, sizeof(found))) {
		dn = ldap_get_dn(lk->ld, ldap_first_entry(lk->ld, res));
		if (found[0] != '\0')
			say(lk->detail, lk->detaillen, "the entry %s holds %s, not \"%s\": a "
					"certificate's CN must spell the name as the directory does; "
					"taken for no such user", dn != NULL ? dn : "?", found, lk->user);
		else
			say(lk->detail, lk->detaillen, "the entry %s shows rolegate no %s to compare "
					"with \"%s\" (may the service account read it?); taken for no "
					"such user", dn != NULL ? dn : "?", lk->l->name_attrs[0], lk->user);
		ldap_memfree(dn);
		ldap_msgfree(res);
		return RG_LDAP_NO_USER;
	}
	dn = ldap_get_dn(lk->ld, ldap_first_entry(lk->ld, res));
	ldap_msgfree(res);
	if (dn == NULL || !rg_ldap_name_valid(dn, strlen(dn), RG_LDAP_VALUE_MAX)) {
		ldap_memfree(dn);
		say(lk->detail, lk->detaillen, "%s: user search: unusable DN", lk->uri);
		return RG_LDAP_FAILED;
	}
	lk->user_dn = strdup(dn);
	ldap_memfree(dn);
	if (lk->user_dn == NULL) {
		say(lk->detail, lk->detaillen, "out of memory");
		return RG_LDAP_FAILED;
	}
	return RG_LDAP_FOUND;
}

static bool visited(const struct rg_strv *v, const char *dn)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcasecmp(v->v[i], dn) == 0)
			return true;
	}
	return false;
}

/* Records one group entry: its DN (if new) and its name. */
static int take_group(struct lookup *lk, LDAPMessage *e, struct rg_strv *next)
{
	struct berval **vals;
	char *dn;
	int ret = 0;

	dn = ldap_get_dn(lk->ld, e);
	if (dn == NULL || !rg_ldap_name_valid(dn, strlen(dn), RG_LDAP_VALUE_MAX) || visited(&lk->visited, dn)) {
		ldap_memfree(dn);
		return 0;
	}
	if (lk->visited.n >= RG_LDAP_MAX_GROUPS) {
		lk->truncated = true;
		ldap_memfree(dn);
		return 0;
	}
	if (rg_strv_push(&lk->visited, dn) < 0 || rg_strv_push(next, dn) < 0)
		ret = -1;
	ldap_memfree(dn);

	vals = ldap_get_values_len(lk->ld, e, lk->l->c.group_name_attr);
	if (vals != NULL && vals[0] != NULL) {
		const struct berval *v = vals[0];

		if (!rg_ldap_name_valid(v->bv_val, v->bv_len, RG_LDAP_VALUE_MAX)) {
			say(lk->detail, lk->detaillen, "skipped a group whose %s is not printable UTF-8",
					lk->l->c.group_name_attr);
		} else {
			char *name = strndup(v->bv_val, v->bv_len);

			if (name == NULL || rg_strv_push_unique(&lk->names, name) < 0)
				ret = -1;
			free(name);
		}
	}
	ldap_value_free_len(vals);
	return ret;
}

/*
 * Runs one group search: group_filter for each DN in dns[0..n) (OR-ed
 * together when several), new groups appended to next.
 */
static enum rg_ldap_status search_groups(struct lookup *lk, char **dns, size_t n, struct rg_strv *next)
{
	char *attrs[] = { lk->l->c.group_name_attr, NULL };
	struct buf f = { 0 };
	LDAPMessage *res = NULL, *e;

	if (n > 1)
		buf_add(&f, "(|", 2);
	for (size_t i = 0; i < n; i++) {
		char *esc_dn = escape_value(dns[i]);

		if (esc_dn == NULL) {
			f.oom = true;
			break;
		}
		expand(&f, lk->l->c.group_filter, lk->esc_user, esc_dn);
		free(esc_dn);
	}
	if (n > 1)
		buf_add(&f, ")", 1);
	if (f.oom) {
		free(f.p);
		say(lk->detail, lk->detaillen, "out of memory");
		return RG_LDAP_FAILED;
	}
	lk->rc = search(lk, lk->l->c.group_base, f.p, attrs, RG_LDAP_MAX_GROUPS + 1, &res);
	free(f.p);
	if (lk->rc != LDAP_SUCCESS && lk->rc != LDAP_SIZELIMIT_EXCEEDED) {
		say_ldap(lk->ld, lk->detail, lk->detaillen, lk->uri, "group search", lk->rc);
		ldap_msgfree(res);
		return failure_status(lk->rc);
	}
	if (lk->rc == LDAP_SIZELIMIT_EXCEEDED)
		lk->truncated = true;
	lk->rc = LDAP_SUCCESS;
	for (e = ldap_first_entry(lk->ld, res); e != NULL; e = ldap_next_entry(lk->ld, e)) {
		if (take_group(lk, e, next) < 0) {
			ldap_msgfree(res);
			say(lk->detail, lk->detaillen, "out of memory");
			return RG_LDAP_FAILED;
		}
	}
	ldap_msgfree(res);
	return RG_LDAP_FOUND;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The groups: level 0 holds the groups naming the user; each further level
 * the groups naming a group of the level before, until no new group turns
 * up, RG_LDAP_MAX_DEPTH levels were followed, or RG_LDAP_MAX_GROUPS groups
 * were seen. The visited set makes cycles harmless.
 */
static enum rg_ldap_status find_groups(struct lookup *lk)
{
	enum rg_ldap_status st;
	int depth;

	if (rg_strv_push(&lk->frontier, lk->user_dn) < 0) {
		say(lk->detail, lk->detaillen, "out of memory");
		return RG_LDAP_FAILED;
	}
	for (depth = 0; lk->frontier.n > 0 && !lk->truncated; depth++) {
		struct rg_strv next = { 0 };

		if (depth > 0 && !lk->l->c.nested)
			break;
		if (depth > RG_LDAP_MAX_DEPTH) {
			say(lk->detail, lk->detaillen, "nested groups followed only %d levels deep; "
					"groups containing %zu group(s) at the last level were not looked up",
					RG_LDAP_MAX_DEPTH, lk->frontier.n);
			break;
		}
		for (size_t i = 0; i < lk->frontier.n && !lk->truncated; i += RG_LDAP_FILTER_BATCH) {
			size_t n = lk->frontier.n - i;

			if (n > RG_LDAP_FILTER_BATCH)
				n = RG_LDAP_FILTER_BATCH;
			st = search_groups(lk, lk->frontier.v + i, n, &next);
			if (st != RG_LDAP_FOUND) {
				rg_strv_free(&next);
				return st;
			}
		}
		rg_strv_free(&lk->frontier);
		lk->frontier = next;
	}
	if (lk->truncated)
		say(lk->detail, lk->detaillen, "user's group list cut at %d groups (or at the server's "
				"size limit)", RG_LDAP_MAX_GROUPS);
	if (lk->names.n > 1)
		qsort(lk->names.v, lk->names.n, sizeof(*lk->names.v), cmp_str);
	return RG_LDAP_FOUND;
}

static enum rg_ldap_status lookup_on(struct lookup *lk)
{
	enum rg_ldap_status st;

	st = find_user(lk);
	if (st != RG_LDAP_FOUND)
		return st;
	return find_groups(lk);
}

static void lookup_clear(struct lookup *lk)
{
	free(lk->user_dn);
	lk->user_dn = NULL;
	rg_strv_free(&lk->visited);
	rg_strv_free(&lk->frontier);
	rg_strv_free(&lk->names);
	lk->truncated = false;
	lk->rc = LDAP_SUCCESS;
}

enum rg_ldap_status rg_ldap_lookup(struct rg_ldap *l, const char *user, struct rg_strv *groups,
		char *detail, size_t detaillen)
{
	struct lookup lk = { .l = l, .user = user, .detail = detail, .detaillen = detaillen };
	enum rg_ldap_status st = RG_LDAP_UNREACHABLE;

	if (detaillen > 0)
		detail[0] = '\0';
	if (!rg_ldap_name_valid(user, strlen(user), RG_LDAP_VALUE_MAX)) {
		say(detail, detaillen, "invalid user name");
		return RG_LDAP_FAILED;
	}
	lk.esc_user = escape_value(user);
	if (lk.esc_user == NULL) {
		say(detail, detaillen, "out of memory");
		return RG_LDAP_FAILED;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		struct conn *c;
		bool reused = false;

		if (pool_get(l, &c, &reused, detail, detaillen) < 0) {
			st = RG_LDAP_UNREACHABLE;
			break;
		}
		lk.ld = c->ld;
		lk.uri = l->uris[c->uri];
		st = lookup_on(&lk);
		/* the server closed a pooled connection (restart, idle timeout): once more, afresh */
		if (st != RG_LDAP_FOUND && st != RG_LDAP_NO_USER && lk.rc == LDAP_SERVER_DOWN &&
		    reused && attempt == 0) {
			pool_drop(l, c);
			lookup_clear(&lk);
			if (detaillen > 0)
				detail[0] = '\0';
			continue;
		}
		if (conn_broken(lk.rc))
			pool_drop(l, c);
		else
			pool_put(l, c);
		break;
	}
	if (st == RG_LDAP_FOUND) {
		*groups = lk.names;
		lk.names = (struct rg_strv){ 0 };
	}
	lookup_clear(&lk);
	free(lk.esc_user);
	return st;
}

int rg_ldap_reread_secret(struct rg_ldap *l, char *err, size_t errlen)
{
	struct berval fresh = { 0, NULL }, old;

	if (l->c.bind_dn[0] == '\0')
		return 0;
	if (read_secret(l->c.bind_password_file, &fresh, err, errlen) < 0)
		return -1;
	pthread_mutex_lock(&l->lock);
	old = l->password;
	l->password = fresh;
	pthread_mutex_unlock(&l->lock);
	explicit_bzero(old.bv_val, old.bv_len);
	free(old.bv_val);
	return 0;
}

unsigned long rg_ldap_connects(struct rg_ldap *l)
{
	unsigned long n;

	pthread_mutex_lock(&l->lock);
	n = l->connects;
	pthread_mutex_unlock(&l->lock);
	return n;
}

void rg_ldap_free(struct rg_ldap *l)
{
	if (l == NULL)
		return;
	while (l->idle != NULL) {
		struct conn *c = l->idle;

		l->idle = c->next;
		close_conn(c);
	}
	if (l->password.bv_val != NULL) {
		explicit_bzero(l->password.bv_val, l->password.bv_len);
		free(l->password.bv_val);
	}
	for (size_t i = 0; i < l->nuris; i++)
		free(l->uris[i]);
	free(l->uris);
	free(l->uri_failed);
	for (size_t i = 0; l->name_attrs[i] != NULL; i++)
		free(l->name_attrs[i]);
	rg_ldap_config_clear(&l->c);
	pthread_cond_destroy(&l->conn_freed);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
