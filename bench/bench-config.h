#ifndef ROLEGATE_BENCH_CONFIG_H
#define ROLEGATE_BENCH_CONFIG_H

/* The default rolegate config: every captured call is allowed, the creates
 * through a constrained role, so the whole decision path runs. @DIR@ is the
 * bench's private directory, @SYNC@ the audit.sync under test. */
static const char bench_default_template[] =
	"plugin = {\n"
	"  socket = \"@DIR@/unused.sock\";\n"
	"  state = \"@DIR@/state-@SYNC@\";   /* one per rolegate: a state is locked by its serve */\n"
	"};\n"
	"identity = {\n"
	"  unauthenticated = \"automation\";\n"
	"  users = (\n"
	"    { name = \"automation\"; groups = [\"docker-ops\"]; },\n"
	"    { name = \"alice\"; groups = [\"developers\", \"Domain Users\"]; },\n"
	"    { name = \"bob\"; groups = [\"auditors\"]; }\n"
	"  );\n"
	"};\n"
	"roles = {\n"
	"  ops = { groups = [\"docker-ops\"]; allow = [\"*\"]; };\n"
	"  developer = {\n"
	"    groups = [\"developers\"];\n"
	"    allow = [\"container.*\", \"image.pull\", \"image.list\", \"image.inspect\", \"system.*\",\n"
	"             \"volume.*\", \"network.list\", \"network.inspect\", \"exec.*\"];\n"
	"    deny = [\"container.commit\", \"container.archive.put\"];\n"
	"    constraints = {\n"
	"      privileged = false;\n"
	"      host_namespaces = false;\n"
	"      capabilities = [\"NET_BIND_SERVICE\"];\n"
	"      devices = false;\n"
	"      unconfined = false;\n"
	"      bind_mounts = [\"/tmp/rolegate-bench-projects\", \"/srv/projects\"];\n"
	"      registries = [\"registry.example.org\", \"docker.io/library\"];\n"
	"      require_limits = [\"memory\", \"pids\"];\n"
	"      exec_user = [\"!root\", \"!0\"];\n"
	"    };\n"
	"  };\n"
	"  auditor = { groups = [\"auditors\"]; allow = [\"*.list\", \"*.inspect\", \"system.*\"]; };\n"
	"};\n"
	"audit = {\n"
	"  path = \"@DIR@/decisions-@SYNC@.log\";\n"
	"  sync = \"@SYNC@\";\n"
	"  responses = \"mutating\";\n"
	"};\n";

#endif
