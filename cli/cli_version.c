/* `rolegate version`. */
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>
#include <ldap.h>
#include <libconfig.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#include "rolegate/cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate version [-c FILE]\n\n"
		"Prints the version and the libraries it was built with. -c is accepted, as\n"
		"by every command, and not read.\n");
}

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	/* SPEC.md §2: every subcommand takes -c FILE and --help. */
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	printf("rolegate %s\n", RG_VERSION);
	printf("libmicrohttpd %s\n", MHD_get_version());
	printf("jansson %s\n", jansson_version_str());
	printf("libconfig %d.%d.%d\n", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
	printf("%s %d.%d.%d\n", LDAP_VENDOR_NAME, LDAP_VENDOR_VERSION_MAJOR, LDAP_VENDOR_VERSION_MINOR,
			LDAP_VENDOR_VERSION_PATCH);
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	return 0;
}
