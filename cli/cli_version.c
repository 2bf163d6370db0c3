/* `rolegate version`. */
#include <stdio.h>

#include <jansson.h>
#include <ldap.h>
#include <libconfig.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#include "rolegate/cli.h"

int cmd_version(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: rolegate version\n\nPrints the version and the libraries it was built with.\n");
		return argc == 2 && argv[1][0] == '-' && argv[1][1] == '-' ? 0 : 2;
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
