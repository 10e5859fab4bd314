# PGXS build of current_view.  Test and demo targets run on a throwaway
# PostgreSQL 15 cluster; see test/run.sh.

EXTENSION = current_view
MODULE_big = current_view
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is assembled from one part per
# concern.  The upgrade script to it is its own part (what changed in tables,
# schemas, signatures) followed by every function and view of the install
# script, replayed as CREATE OR REPLACE.  Released versions' scripts are
# frozen in sql/frozen and never change: before a new version is started,
# the current install and upgrade scripts are copied there.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" current_view.control)
SQL_PARTS = $(sort $(wildcard sql/[0-9]*.sql))
UPGRADE_PARTS = $(sort $(wildcard sql/upgrade/*--$(EXTVERSION).sql))
DATA = $(wildcard sql/frozen/*.sql)
DATA_built = current_view--$(EXTVERSION).sql \
	$(patsubst sql/upgrade/%.sql,current_view--%.sql,$(UPGRADE_PARTS))

REGRESS = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --outputdir=test/output
ISOLATION = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test --outputdir=test/output_isolation
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

EXTRA_CLEAN = test/output test/output_isolation test/tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(PGXS),)
# Nothing to include yet: test/run.sh installs the server development files.
all install installcheck:
	@echo "pg_config not found: run 'make test' or 'make demo', or install postgresql-server-dev-15" >&2; exit 1
else
include $(PGXS)
endif

# A script whose recipe failed (replay.awk refuses a part it cannot split)
# must not be left behind looking up to date.
.DELETE_ON_ERROR:

# Every C file includes the shared header.
$(OBJS): src/current_view.h

current_view--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

current_view--%--$(EXTVERSION).sql: sql/upgrade/%--$(EXTVERSION).sql sql/replay.awk $(SQL_PARTS) $(wildcard sql/upgrade/*--$(EXTVERSION).after.sql)
	{ cat $<; awk -f sql/replay.awk $(SQL_PARTS); cat $(wildcard sql/upgrade/$*--$(EXTVERSION).after.sql) /dev/null; } > $@

.PHONY: test demo bench
test:
	bash test/run.sh test
demo:
	bash test/run.sh demo
bench:
	bash test/run.sh bench
