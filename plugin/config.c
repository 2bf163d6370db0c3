/* The one validation (rolegate/config.h), shared by check and serve. */
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/audit_record.h"
#include "rolegate/config.h"
#include "rolegate/filetrust.h"
#include "rolegate/policyfile.h"
#include "rolegate/ldap.h"
#include "rolegate/secret.h"

/* Each URI of the setting (whitespace or comma separated, as directory/ldap.c splits it). */
static void check_uris(const struct rg_policy *p, struct rg_errlist *errs)
{
	const char *s = p->ldap.uri;
	int line = p->ldap.uri_line;

	while (*s != '\0') {
		size_t n;
		char tok[1024];

		s += strspn(s, " \t\r\n,");
		n = strcspn(s, " \t\r\n,");
		if (n == 0)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, s);
		s += n;
		if (n >= sizeof(tok) || !rg_ldap_uri_valid(tok))
			rg_errlist_at(errs, p->path, line, "'identity.ldap.uri': '%s' is not an LDAP URI "
					"(ldap://, ldaps:// or ldapi://)", tok);
	}
}

/* Reads a secret file as serve will; records the problem. */
static void check_secret(const char *path, int line, const char *what, size_t min, size_t max,
		const struct rg_policy *p, struct rg_errlist *errs, bool *runtime_error)
{
	unsigned char *s;
	size_t len;
	char err[512];
	enum rg_secret_error e = rg_secret_read(path, what, min, max, &s, &len, err, sizeof(err));

	if (e == RG_SECRET_OK) {
		rg_secret_free(s, len);
		return;
	}
	if (e == RG_SECRET_UNREADABLE || e == RG_SECRET_NO_MEMORY)
		*runtime_error = true;
	rg_errlist_at(errs, p->path, line, "%s", err);
}

/* Whoever can write the configuration is root on the host (filetrust.h). */
static void check_trust(const char *path, struct rg_errlist *errs)
{
	char err[512];

	if (!rg_filetrust_path(path, err, sizeof(err)))
		rg_errlist_at(errs, path, 0, "%s", err);
}

struct rg_policy *rg_config_load(const char *path, unsigned flags, struct rg_errlist *errs,
		bool *runtime_error)
{
	struct rg_policy *p;
	size_t before = errs->n + errs->lost;

	*runtime_error = false;
	p = rg_policy_load(path, errs, runtime_error);
	if (p == NULL) {
		/* unreadable: a runtime error; unparsable: invalid, and every problem is reported */
		if (!*runtime_error && !(flags & RG_CONFIG_OFFLINE))
			check_trust(path, errs);
		return NULL;
	}
	if (p->nroles == 0) {
		if (p->roles_line > 0)
			rg_errlist_at(errs, path, p->roles_line,
					"no roles are defined: every request would be denied");
		else
			rg_errlist_at(errs, path, 0, "no roles are defined (an empty or truncated file?): "
					"every request would be denied");
	}
	if (p->ldap.enabled)
		check_uris(p, errs);
	if (!(flags & RG_CONFIG_OFFLINE)) {
		check_trust(path, errs);
		if (p->ldap.enabled && p->ldap.bind_dn[0] != '\0' && p->ldap.bind_password_file[0] != '\0')
			check_secret(p->ldap.bind_password_file, p->ldap.bind_password_file_line,
					"bind_password_file", 1, RG_LDAP_SECRET_MAX, p, errs, runtime_error);
		if (p->audit.key_file[0] != '\0')
			check_secret(p->audit.key_file, p->audit.key_file_line, "audit.key_file",
					RG_AUDIT_KEY_MIN, RG_AUDIT_KEY_MAX, p, errs, runtime_error);
		/* A reference to an undefined thing is an error (SPEC.md §3); serve needs the gid. */
		if (p->plugin.socket_group[0] != '\0' && getgrnam(p->plugin.socket_group) == NULL)
			rg_errlist_at(errs, path, p->plugin.socket_group_line,
					"'plugin.socket_group': no group named %s on this host",
					p->plugin.socket_group);
	}
	/* What is left for libldap to refuse (the TLS context, hence ca_file): build a client. */
	if (!(flags & RG_CONFIG_OFFLINE) && p->ldap.enabled && errs->n + errs->lost == before) {
		char err[512];
		struct rg_ldap *l = rg_ldap_new(&p->ldap, err, sizeof(err));

		if (l == NULL) {
			rg_errlist_at(errs, path, p->ldap.uri_line, "identity.ldap: %s", err);
			*runtime_error = true;
		}
		rg_ldap_free(l);
	}
	if (errs->n + errs->lost != before) {
		rg_policy_free(p);
		return NULL;
	}
	return p;
}
