#!/usr/bin/env python3
"""Writes the configurations of bench/scale.sh: the benchmark's default
config (bench/bench-config.h), and the same with USERS more static users and
ROLES more roles, none of which the benchmark's callers hold, so that the
difference in throughput is what the size of the config costs each call.

  scale.py BENCH-CONFIG-H OUT-SMALL OUT-LARGE USERS ROLES
"""
import re
import sys

header, small, large, nusers, nroles = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
text = open(header).read()
body = text[text.index("bench_default_template[] ="):]
body = body[:body.index(";\n")]
base = "".join(bytes(m, "utf-8").decode("unicode_escape") for m in re.findall(r'"((?:[^"\\]|\\.)*)"', body))
open(small, "w").write(base)

users = []
for i in range(nusers):
    users.append('    { name = "user%06d"; groups = ["team-%05d", "staff"]; },\n' % (i, i % max(nroles, 1)))
roles = []
patterns = ['"container.list"', '"container.inspect"', '"image.*"', '"system.*"', '"volume.list"']
for i in range(nroles):
    roles.append('  team_%05d = { groups = ["team-%05d"]; users = ["user%06d"]; allow = [%s, %s]; deny = ["image.push"]; };\n'
                 % (i, i, (i * 7) % max(nusers, 1), patterns[i % 5], patterns[(i + 2) % 5]))
out = base.replace("  users = (\n", "  users = (\n" + "".join(users), 1)
out = out.replace("roles = {\n", "roles = {\n" + "".join(roles), 1)
open(large, "w").write(out)
