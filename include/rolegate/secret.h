#ifndef ROLEGATE_SECRET_H
#define ROLEGATE_SECRET_H

/*
 * The one place that reads a secret file: the LDAP bind password
 * (identity.ldap.bind_password_file) and the audit HMAC key (audit.key_file).
 * `rolegate check`, `serve` at start and on reload, and `log verify` all
 * read them through here, so they accept and refuse exactly the same files.
 */

#include <stdbool.h>
#include <stddef.h>

enum rg_secret_error {
	RG_SECRET_OK,
	RG_SECRET_UNREADABLE,  /* cannot be opened or read (missing, EACCES, EIO): a runtime error */
	RG_SECRET_INSECURE,    /* not a regular file, wrong owner, group/others have access */
	RG_SECRET_BAD_SIZE,    /* empty, shorter than min or longer than max bytes */
	RG_SECRET_NO_MEMORY,
};

/*
 * Reads path, which must be a regular file owned by root or by the user
 * rolegate runs as, that group and others cannot access: whoever can read
 * it holds the secret, whoever can write it chooses it. Trailing line ends
 * (CR, LF) are the editor's and are dropped; what remains must be min..max
 * bytes. what names the setting in messages ("bind_password_file").
 *
 * Returns RG_SECRET_OK with *out (free with rg_secret_free) and *len, or
 * another value with a one-line message in err naming the setting, the
 * path and the fix; the secret never appears in a message.
 */
enum rg_secret_error rg_secret_read(const char *path, const char *what, size_t min, size_t max,
		unsigned char **out, size_t *len, char *err, size_t errlen);

/* Wipes and frees a secret. NULL-safe. */
void rg_secret_free(unsigned char *s, size_t len);

#endif
