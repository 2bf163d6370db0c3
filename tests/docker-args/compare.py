#!/usr/bin/env python3
"""Compares rolegate's translation of docker command lines with the real CLI.

    compare.py DUMP CASES LOG SOCKET

For each case in CASES (see cases.txt), runs the real `docker` against the
fake dockerd on SOCKET (which logs each request to LOG; the last one is the
request the command is about) and DUMP (tests/docker-args-dump.c, the
translator) on the same command line, in the same directory and
environment, and checks:

  - the method, the path and the query (as decoded pairs, order aside) are
    equal;
  - every key of the translated JSON body equals the CLI's value, at every
    depth (objects are compared key by key; lists whole, except
    HostConfig.Binds, which the CLI builds from a Go map in random order);
  - the keys authorization reads (SECURITY below) that the CLI sent are in
    the translation too;
  - a case marked @error=TEXT is refused by the translator with TEXT in the
    message, and by the CLI (it sends nothing).

Prints one line per failure and a summary; exit 1 on any failure.
"""
import json
import os
import shlex
import subprocess
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

# The body keys the constraints read: whatever the CLI sends of these, the
# translation must send too, equal.
SECURITY = [
    "HostConfig.Privileged", "HostConfig.Binds", "HostConfig.Mounts", "HostConfig.CapAdd",
    "HostConfig.Devices", "HostConfig.DeviceRequests", "HostConfig.DeviceCgroupRules",
    "HostConfig.SecurityOpt", "HostConfig.NetworkMode", "HostConfig.PidMode",
    "HostConfig.IpcMode", "HostConfig.UTSMode", "HostConfig.UsernsMode",
    "HostConfig.CgroupnsMode", "HostConfig.Memory", "HostConfig.PidsLimit",
    "HostConfig.NanoCpus", "HostConfig.CpuShares", "HostConfig.CpuQuota",
    "HostConfig.VolumesFrom", "NetworkingConfig.EndpointsConfig",
    "Image", "User", "Privileged", "Name", "Driver", "DriverOpts",
    "Memory", "PidsLimit", "NanoCpus", "CpuShares",
    "TaskTemplate.ContainerSpec.Image", "TaskTemplate.ContainerSpec.Mounts",
    "TaskTemplate.ContainerSpec.CapabilityAdd", "TaskTemplate.Resources.Limits",
]
# Lists the CLI builds from a Go map, in random order.
UNORDERED = {"HostConfig.Binds", "Env", "TaskTemplate.ContainerSpec.Env"}


def get(obj, path):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None, False
        obj = obj[part]
    return obj, True


def subset(mine, cli, path, problems):
    """Every key of mine equals cli's, recursively."""
    if isinstance(mine, dict) and isinstance(cli, dict):
        for k, v in mine.items():
            sub = path + "." + k if path else k
            if k not in cli:
                problems.append("%s: translated %s, the CLI sends no such key" % (sub, json.dumps(v)))
            else:
                subset(v, cli[k], sub, problems)
        return
    if path in UNORDERED and isinstance(mine, list) and isinstance(cli, list):
        mine, cli = sorted(mine), sorted(cli)
    if mine != cli:
        problems.append("%s: translated %s, the CLI sends %s" % (path or "body", json.dumps(mine), json.dumps(cli)))


def compare_body(mine, cli, problems):
    if mine is None:
        return
    if cli is None:
        problems.append("body: translated %s, the CLI sends none" % mine[:80])
        return
    try:
        cli_json = json.loads(cli)
    except ValueError:
        problems.append("body: translated JSON, the CLI sends %s" % cli[:40])
        return
    mine_json = json.loads(mine)
    subset(mine_json, cli_json, "", problems)
    for key in SECURITY:
        cv, cli_has = get(cli_json, key)
        _, mine_has = get(mine_json, key)
        if cli_has and not mine_has:
            problems.append("%s: the CLI sends %s, the translation leaves it out" % (key, json.dumps(cv)))


def split_uri(uri):
    u = urlsplit(uri)
    return unquote(u.path), sorted(parse_qsl(u.query, keep_blank_values=True))


def run_cli(words, tty, log, env):
    open(log, "w").close()
    cmd = ["docker"] + words
    if tty:
        cmd = ["script", "-qec", shlex.join(cmd), "/dev/null"]
    try:
        subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
    except subprocess.TimeoutExpired:
        return "timeout"
    with open(log) as f:
        lines = [line for line in f if line.strip()]
    return json.loads(lines[-1]) if lines else None


def main():
    dump, cases, log, sock = sys.argv[1:5]
    env = dict(os.environ, DOCKER_HOST="unix://" + sock, DOCKER_API_VERSION="1.41",
               DOCKER_CONFIG=os.path.join(os.path.dirname(log), "docker-config"))
    passed = failed = 0
    with open(cases) as f:
        numbered = list(enumerate(f, 1))
    for lineno, line in numbered:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        tty, no_body, want_error = False, False, None
        while words and words[0].startswith("@"):
            mark = words.pop(0)
            if mark == "@tty":
                tty = True
            elif mark == "@nobody":
                no_body = True
            elif mark.startswith("@error="):
                want_error = mark[len("@error="):]
            else:
                print("%s:%d: unknown mark %s" % (cases, lineno, mark))
                failed += 1
                continue
        where = "%s:%d: docker %s" % (os.path.basename(cases), lineno, shlex.join(words))
        problems = []
        cli = run_cli(words, tty, log, env)
        mine = subprocess.run([dump, "docker"] + words, env=env, capture_output=True, text=True)
        if want_error is not None:
            if mine.returncode == 0:
                problems.append("translated, but should be refused (%s)" % want_error)
            elif want_error not in mine.stderr:
                problems.append("refused with \"%s\", not naming %s" % (mine.stderr.strip(), want_error))
            if cli not in (None, "timeout"):
                problems.append("the CLI did send %s %s" % (cli["method"], cli["uri"]))
        elif mine.returncode != 0:
            problems.append("not translated: %s" % mine.stderr.strip())
        elif cli in (None, "timeout"):
            problems.append("the docker CLI sent nothing (%s)" % (cli or "no request"))
        else:
            got = json.loads(mine.stdout)
            if got["method"] != cli["method"]:
                problems.append("method: translated %s, the CLI sends %s" % (got["method"], cli["method"]))
            gp, gq = split_uri(got["uri"])
            cp, cq = split_uri(cli["uri"])
            if gp != cp:
                problems.append("path: translated %s, the CLI sends %s" % (gp, cp))
            if gq != cq:
                problems.append("query: translated %s, the CLI sends %s" % (gq, cq))
            if no_body and got["body"] is not None:
                problems.append("body: marked @nobody, but translated one")
            if not no_body:
                if got["body"] is None and cli["body"] is not None and \
                        (cli.get("content_type") or "").startswith("application/json"):
                    problems.append("body: translated none, the CLI sends %s" % cli["body"][:80])
                compare_body(got["body"], cli["body"], problems)
        if problems:
            failed += 1
            print("FAIL " + where)
            for p in problems:
                print("     " + p)
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    if passed < 25:
        print("too few cases: at least 25 must pass")
        return 1
    return 1 if failed else 0


sys.exit(main())
