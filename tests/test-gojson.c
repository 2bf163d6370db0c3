/* Unit tests for rbac/gojson.c: JSON keys matched the way Go's
 * encoding/json matches them, and bodies that would be read two ways
 * refused. */
#include <stdio.h>
#include <string.h>

#include "rolegate/gojson.h"
#include "test.h"

#define LONG_S "\xc5\xbf"       /* U+017F, Go folds it with 's' */
#define KELVIN "\xe2\x84\xaa"   /* U+212A, Go folds it with 'k' */
#define DOTTED_I "\xc4\xb0"     /* U+0130: no simple fold with 'i' in Go */
#define DOTLESS_I "\xc4\xb1"    /* U+0131: likewise */

static json_t *parse(const char *text, const char **err)
{
	*err = NULL;
	return rg_gojson_parse(text, strlen(text), err);
}

static void refused(const char *text)
{
	const char *err;
	json_t *v = parse(text, &err);

	if (v != NULL)
		test_fail("accepted: %s", text);
	test_assert(err != NULL && err[0] != '\0');
}

static void accepted(const char *text)
{
	const char *err;
	json_t *v = parse(text, &err);

	if (v == NULL)
		test_fail("refused (%s): %s", err, text);
	json_decref(v);
}

static void test_key_matches(void)
{
	test_assert(rg_gojson_key_matches("HostConfig", "HostConfig"));
	test_assert(rg_gojson_key_matches("HostConfig", "hostconfig"));
	test_assert(rg_gojson_key_matches("HostConfig", "HOSTCONFIG"));
	test_assert(rg_gojson_key_matches("HostConfig", "hOsTcOnFiG"));
	test_assert(rg_gojson_key_matches("HostConfig", "Ho" LONG_S "tConfig"));
	test_assert(rg_gojson_key_matches("Privileged", "Privileged"));
	test_assert(rg_gojson_key_matches("SecurityOpt", LONG_S "ecurityOpt"));
	test_assert(rg_gojson_key_matches("KernelMemory", KELVIN "ernelMemory"));
	test_assert(rg_gojson_key_matches("Links", "Lin" KELVIN "s"));
	test_assert(rg_gojson_key_matches("Links", "LIN" KELVIN LONG_S));

	test_assert(!rg_gojson_key_matches("HostConfig", "HostConfigs"));
	test_assert(!rg_gojson_key_matches("HostConfig", "HostConfi"));
	test_assert(!rg_gojson_key_matches("HostConfig", ""));
	test_assert(!rg_gojson_key_matches("HostConfig", "Host_Config"));
	/* Go's folding is simple folding: these are not 'i', 'ss' or 's'. */
	test_assert(!rg_gojson_key_matches("Image", DOTTED_I "mage"));
	test_assert(!rg_gojson_key_matches("Image", DOTLESS_I "mage"));
	test_assert(!rg_gojson_key_matches("Ss", "\xc3\x9f"));
	/* The Kelvin sign is a 'k', not an 's', and the long s not a 'k'. */
	test_assert(!rg_gojson_key_matches("Links", "Lin" LONG_S "s"));
	test_assert(!rg_gojson_key_matches("Links", "Lin" KELVIN KELVIN));
	/* A truncated multi-byte sequence matches nothing. */
	test_assert(!rg_gojson_key_matches("Hs", "H\xc5"));
}

static void test_get(void)
{
	const char *err;
	json_t *v = parse("{\"hostconfig\": {\"PRIVILEGED\": true, \"Binds\": [\"/a:/b\"]},"
			" \"Image\": \"busybox\", \"" KELVIN "ey\": 1}", &err);
	const char *path[] = { "HostConfig", "Privileged", NULL };
	const char *missing[] = { "HostConfig", "CapAdd", NULL };
	const char *through_scalar[] = { "Image", "X", NULL };

	test_assert(v != NULL);
	test_assert(json_is_object(rg_json_get(v, "HostConfig")));
	test_assert(json_is_true(rg_json_path(v, path)));
	test_assert(rg_json_path(v, missing) == NULL);
	test_assert(rg_json_path(v, through_scalar) == NULL);
	test_str_eq(json_string_value(rg_json_get(v, "image")), "busybox");
	test_assert(json_integer_value(rg_json_get(v, "Key")) == 1);
	test_assert(rg_json_get(v, "Keys") == NULL);
	test_assert(rg_json_get(rg_json_get(v, "Image"), "x") == NULL);
	test_assert(rg_json_get(NULL, "x") == NULL);
	json_decref(v);
}

static void test_parse_refusals(void)
{
	/* Not JSON, or not only JSON: dockerd's decoder and this one could
	 * stop at different places. */
	refused("");
	refused("{");
	refused("{\"Image\": \"a\"} {\"HostConfig\": {\"Privileged\": true}}");
	refused("{\"Image\": 'a'}");
	refused("\xef\xbb\xbf{}");                       /* a byte order mark */
	refused("{\"Image\": \"\xff\"}");                /* not UTF-8 */
	refused("{\"Image\": \"a\\u0000b\"}");           /* NUL in a string */
	refused("{\"Memory\": 99999999999999999999999}"); /* beyond int64 */

	/* Two keys dockerd would read as one field: which one wins is a guess. */
	refused("{\"Privileged\": false, \"Privileged\": true}");
	refused("{\"Privileged\": false, \"privileged\": true}");
	refused("{\"HostConfig\": {}, \"HOSTCONFIG\": {\"Privileged\": true}}");
	refused("{\"HostConfig\": {}, \"Ho" LONG_S "tConfig\": {}}");
	refused("{\"HostConfig\": {\"Links\": [], \"Lin" KELVIN "s\": []}}");
	refused("{\"HostConfig\": {\"Binds\": [], \"binds\": [\"/:/host\"]}}");
	refused("[{\"a\": 1, \"A\": 2}]");
	/* Inside a map the keys are data, but the values of a map of structs
	 * are structs again. */
	refused("{\"NetworkingConfig\": {\"EndpointsConfig\": {\"n\": {\"Aliases\": [], \"aliases\": []}}}}");
	refused("{\"Labels\": {\"x\": {\"a\": 1, \"A\": 2}}}");
}

static void test_parse_accepts(void)
{
	const char *err;
	json_t *v;

	accepted("{}");
	accepted("null");
	accepted("[]");
	accepted("{\"Image\": \"busybox\", \"HostConfig\": {\"Binds\": [\"/srv:/srv\"]}}");
	/* Go maps: keys are data, "a" and "A" are two labels. */
	accepted("{\"Labels\": {\"a\": \"1\", \"A\": \"2\"}}");
	accepted("{\"labels\": {\"a\": \"1\", \"A\": \"2\"}}");
	accepted("{\"DriverOpts\": {\"o\": \"bind\", \"O\": \"x\"}}");
	accepted("{\"HostConfig\": {\"Sysctls\": {\"net.a\": \"1\", \"NET.A\": \"1\"}}}");
	accepted("{\"NetworkingConfig\": {\"EndpointsConfig\": {\"net\": {}, \"NET\": {}}}}");
	/* Same key in two different objects is no collision. */
	accepted("{\"HostConfig\": {\"Privileged\": true}, \"Privileged\": false}");

	/* An escaped key is the key it spells. */
	v = parse("{\"\\u0050rivileged\": true}", &err);
	test_assert(v != NULL);
	test_assert(json_is_true(rg_json_get(v, "Privileged")));
	json_decref(v);
	refused("{\"\\u0050rivileged\": true, \"privileged\": false}");
}

static void nested(int levels, char *buf, size_t len)
{
	size_t n = 0;

	for (int i = 0; i < levels && n + 2 < len; i++)
		buf[n++] = '[';
	buf[n++] = '1';
	for (int i = 0; i < levels && n + 1 < len; i++)
		buf[n++] = ']';
	buf[n] = '\0';
}

static void test_depth(void)
{
	char buf[1024];

	/* The value innermost in RG_JSON_MAX_DEPTH arrays is at depth 64. */
	nested(RG_JSON_MAX_DEPTH, buf, sizeof(buf));
	accepted(buf);
	nested(RG_JSON_MAX_DEPTH + 1, buf, sizeof(buf));
	refused(buf);
	nested(400, buf, sizeof(buf));
	refused(buf);
}

int main(void)
{
	test_key_matches();
	test_get();
	test_parse_refusals();
	test_parse_accepts();
	test_depth();
	printf("gojson: ok\n");
	return 0;
}
