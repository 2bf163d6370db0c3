#!/bin/bash
# rbac/ does no I/O (STYLE.md: "rbac/ is the pure engine"): no object in the
# engine's static library may call the functions below. The daemon reads
# files, talks to sockets, logs and runs threads; the engine gets what it
# needs as arguments (the host filesystem as struct rg_fs, hostfs.h; the
# ownership state, the approved-images files, the directory's groups) and
# hands back text (statefile.h). This is what lets unit tests, decision
# tables and fuzzers link rbac/ alone and get the same answer every time.
#
# Checked with nm on librbac.a: the undefined symbols of each object. A
# symbol is compared by its base name: leading '_' dropped and the suffixes
# glibc adds (fortify "_chk"/"_2", large-file "64", "isoc99_") removed, so
# __read_chk, lstat64, __open_2 and __isoc99_fscanf are read, lstat, open
# and fscanf.
#
# usage: rbac-no-io.sh LIBRBAC.a
set -u
lib=${1:?usage: $0 LIBRBAC.a}

# Why each group is forbidden:
# files and file metadata: the engine never opens, reads or examines a file
# (the config text, state files and approved-images files are read by
# plugin/; host paths are looked at through struct rg_fs).
files='open openat creat close read pread readv preadv write pwrite writev pwritev
  lseek fsync fdatasync sync syncfs ftruncate truncate rename renameat renameat2
  link linkat symlink symlinkat unlink unlinkat mkdir mkdirat rmdir mknod mknodat
  chmod fchmod chown fchown lchown flock fcntl ioctl mmap dup dup2 pipe
  stat lstat fstat fstatat newfstatat statx xstat lxstat fxstat fxstatat
  access faccessat readlink readlinkat realpath canonicalize_file_name
  opendir fdopendir readdir readdir_r closedir scandir glob nftw ftw'
# stdio streams and printing: no files, and no logging (STYLE.md) — errors
# go back to the caller as values.
stdio='fopen fdopen freopen tmpfile fread fwrite fgets fgetc getc getline getdelim
  fputs fputc putc puts putchar printf fprintf vprintf vfprintf dprintf vdprintf
  fscanf scanf vscanf vfscanf fflush fclose fseek ftell rewind ferror feof
  clearerr perror popen pclose'
# the same through the libraries rbac/ links: jansson's and libconfig's
# file readers and writers, OpenSSL's file and socket BIOs.
libs='json_load_file json_loadf json_loadfd json_dump_file json_dumpf json_dumpfd
  config_read_file config_read config_write_file config_write
  BIO_new_file BIO_new_fp BIO_new_fd BIO_new_socket BIO_new_connect'
# sockets and the network: the daemon's (libmicrohttpd, libldap).
net='socket socketpair connect bind listen accept accept4 send sendto sendmsg
  recv recvfrom recvmsg getaddrinfo gethostbyname poll select epoll_wait'
# processes, the environment and syslog: only main() exits; what the
# engine knows comes in as arguments; logging is the daemon's.
proc='fork vfork execve execvp execv system exit _exit getenv secure_getenv
  syslog vsyslog openlog'
# Prefixes: threads (POSIX and C11) and the daemon's libraries.
prefixes='pthread_ thrd_ mtx_ cnd_ MHD_ ldap_ ber_'

# Allowed in one object only: rbac/policy.c hands the caller's bytes to
# libconfig as an in-memory stream (fmemopen + config_read), so that a NUL
# byte is the syntax error it is in a file rather than the end of the text.
# No file is opened: rbac/ refuses an "@include" line before libconfig
# could open the file it names.
allow_policy='fmemopen config_read fclose'

command -v nm >/dev/null || { echo "rbac-no-io: nm not found (binutils)"; exit 1; }
[ -f "$lib" ] || { echo "rbac-no-io: $lib: no such file"; exit 1; }

nm -P -A -u "$lib" | awk -v files="$files $stdio $libs $net $proc" -v prefixes="$prefixes" \
	-v allow_policy="$allow_policy" '
function base(s) {
	sub(/^_+/, "", s)
	sub(/^isoc99_/, "", s)
	sub(/_chk$/, "", s)
	sub(/_2$/, "", s)
	sub(/64$/, "", s)
	return s
}
BEGIN {
	n = split(files, f, /[ \n]+/)
	for (i = 1; i <= n; i++) if (f[i] != "") forbidden[f[i]] = 1
	np = split(prefixes, pre, / +/)
	n = split(allow_policy, a, / +/)
	for (i = 1; i <= n; i++) if (a[i] != "") allowed_policy[a[i]] = 1
}
# "LIB[MEMBER]: SYMBOL U"
{
	member = $1
	sub(/^.*\[/, "", member)
	sub(/\]:$/, "", member)
	sub(/^.*\//, "", member)
	sym = $2
	objects[member] = 1
	seen++
	b = base(sym)
	bad = (b in forbidden)
	for (i = 1; i <= np; i++) if (pre[i] != "" && index(b, pre[i]) == 1) bad = 1
	if (!bad)
		next
	if (member ~ /^policy\.c\./ && (b in allowed_policy))
		next
	printf "rbac/%s calls %s: rbac/ does no I/O (tests/rbac-no-io.sh)\n", member, sym
	failed++
}
END {
	# nm saw nothing: a wrong path or format, not a pure library.
	if (seen == 0 || length(objects) < 10) {
		print "rbac-no-io: nm listed no undefined symbols in the library"
		exit 1
	}
	if (failed > 0)
		exit 1
	printf "rbac-no-io: %d objects, %d undefined symbols, none doing I/O\n", length(objects), seen
}'
