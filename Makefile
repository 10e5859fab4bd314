# PGXS build of current_view.  Test and demo targets run on a throwaway
# PostgreSQL 15 cluster; see test/run.sh.

EXTENSION = current_view
MODULE_big = current_view
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one part per concern.
SQL_PARTS = $(sort $(wildcard sql/*.sql))
DATA_built = current_view--1.0.sql

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

$(DATA_built): $(SQL_PARTS)
	cat $^ > $@

.PHONY: test demo bench
test:
	bash test/run.sh test
demo:
	bash test/run.sh demo
bench:
	bash test/run.sh bench
