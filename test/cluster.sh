# Shared by `make test`, `make demo` and `make bench` (sourced, not run):
# install what is missing, build and install the extension, and run a
# throwaway PostgreSQL 15 cluster on a Unix socket in a temporary directory.

PG_MAJOR=15
# PG_BINDIR may name the bin directory of a relocated copy of the installation
# (as `make check` uses a temporary installation), so that several checkouts
# can build and test on one machine without overwriting each other's library.
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/$PG_MAJOR/bin}
export PG_CONFIG=$PG_BINDIR/pg_config
PGXS_DIR=$(dirname "$PG_BINDIR")/lib/pgxs

# PostgreSQL refuses to run as root: as root, servers and TAP clusters run as
# the postgres OS user (created by the postgresql-15 package).
if [ "$(id -u)" = 0 ]; then
	SUDO=
	PG_OS_USER=postgres
	as_pg_user() { runuser -u "$PG_OS_USER" -- "$@"; }
else
	SUDO=sudo
	PG_OS_USER=$(id -un)
	as_pg_user() { "$@"; }
fi

log() { printf '\n==> %s\n' "$*"; }

ensure_packages() {
	local missing=()
	[ -x "$PG_BINDIR/postgres" ] || missing+=("postgresql-$PG_MAJOR")
	[ -f "/usr/include/postgresql/$PG_MAJOR/server/postgres.h" ] &&
		[ -x "$PGXS_DIR/src/test/isolation/pg_isolation_regress" ] ||
		missing+=("postgresql-server-dev-$PG_MAJOR")
	perl -MIPC::Run -e 1 2>/dev/null || missing+=(libipc-run-perl)
	command -v make >/dev/null && command -v gcc >/dev/null || missing+=(make gcc)
	for pkg in "postgresql-$PG_MAJOR-partman" "postgresql-$PG_MAJOR-repack" "postgresql-$PG_MAJOR-rum" "$@"; do
		dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

build_and_install() {
	log "building and installing current_view"
	make -s clean >/dev/null
	# -Werror: a warning is a build failure here, as in CI.
	make -s COPT='-Werror'
	# sudo only where the installation is not ours to write (a PG_BINDIR
	# copy owned by this user needs none); sudo resets the environment:
	# PG_CONFIG goes on the command line, or the extension would be installed
	# into the system's PostgreSQL.
	local install_sudo=
	if [ ! -w "$("$PG_CONFIG" --pkglibdir)" ] || [ ! -w "$("$PG_CONFIG" --sharedir)/extension" ]; then
		install_sudo=$SUDO
	fi
	$install_sudo make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# start_cluster [extra postgres -c settings...]
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE for the clients that follow.
start_cluster() {
	CLUSTER_DIR=$(mktemp -d /tmp/current_view.XXXXXX)
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$CLUSTER_DIR"
	trap stop_cluster EXIT
	as_pg_user "$PG_BINDIR/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log"; return 1; }
	local opts="-c listen_addresses= -k $CLUSTER_DIR -p 5432"
	local setting
	for setting in "$@"; do opts+=" -c $setting"; done
	as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -o "$opts" -w start >/dev/null
	export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	log "throwaway cluster running in $CLUSTER_DIR"
}

# stage_tests DIR: a copy of test/ (TAP tests and the files they read, which
# they find relative to their own directory) and of the sources they check, in
# a new temporary directory
# owned by the PostgreSQL OS user, which may not be able to read the
# checkout (a clone in root's home, mode 0700).  Prints its path.
stage_tests() {
	local dir entry
	dir=$(mktemp -d "/tmp/current_view_$1.XXXXXX")
	for entry in test/*; do
		case ${entry#test/} in
		output | output_isolation | tmp_check | *.log) ;;
		*) cp -r "$entry" "$dir/" ;;
		esac
	done
	# What tests of the sources read (README examples, release files, the
	# SQL parts), found through CURRENT_VIEW_SOURCE.
	mkdir "$dir/source"
	cp -r README.md META.json CHANGELOG.md LICENSE current_view.control Makefile sql "$dir/source/"
	if [ "$(id -u)" = 0 ]; then chown -R "$PG_OS_USER" "$dir"; fi
	echo "$dir"
}

# prove_staged DIR PROVE_ARGS...: prove run by the PostgreSQL OS user in a
# directory made by stage_tests; test files are named relative to DIR.
prove_staged() {
	local dir=$1
	shift
	(cd "$dir" && as_pg_user env PATH="$PG_BINDIR:$PATH" TESTDIR="$dir" CURRENT_VIEW_SOURCE="$dir/source" \
		PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
		prove -I "$PGXS_DIR/src/test/perl" "$@")
}

stop_cluster() {
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$CLUSTER_DIR"
	CLUSTER_DIR=
}
