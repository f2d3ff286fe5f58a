# The traffic-safety database: development path. (docker-compose.yml is the production path.)
# Every target runs the scripts in db/scripts, which take their settings from the
# environment (see the README) and keep all state in the git-ignored .local/ directory (the
# cluster's in /var/lib/trafficsafety/<hash> when the postgres OS user cannot enter .local/).
SHELL := /bin/bash
S := db/scripts

.PHONY: help bootstrap up down status test test-pgtap test-py test-compose bench report db-start db-stop deploy psql load-segments

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

bootstrap: ## Install Debian packages, PostgREST 12.0.2 and the Python environment (idempotent)
	@bash $(S)/bootstrap.sh

up: bootstrap db-start deploy ## Start the whole stack: cluster, deploy, demo data, PostgREST, nginx, VCC simulator, collector, Prometheus and its exporters, archive consistency check and export
	@bash $(S)/demo.sh
	@bash $(S)/postgrest.sh start
	@bash $(S)/nginx.sh start
	@bash $(S)/collector.sh start
	@bash $(S)/monitoring.sh start
	@bash $(S)/archive_ops.sh start
	@bash $(S)/status.sh

down: ## Stop every process `make up` started
	@bash $(S)/archive_ops.sh stop
	@bash $(S)/monitoring.sh stop
	@bash $(S)/collector.sh stop
	@bash $(S)/nginx.sh stop
	@bash $(S)/postgrest.sh stop
	@bash $(S)/cluster.sh stop

status: ## Show what runs and where
	@bash $(S)/status.sh

test: bootstrap ## Run every test on a fresh throwaway database; one summary line at the end
	@bash $(S)/test.sh

test-pgtap: bootstrap ## Run pgTAP files: make test-pgtap T=tests/pgtap/004_api_health.sql
	@bash $(S)/test.sh pgtap $(T)

test-py: bootstrap ## Run pytest: make test-py T=tests/python/test_foundation.py::test_health_answers_anonymously
	@bash $(S)/test.sh pytest $(T)

test-compose: bootstrap ## Start docker-compose.yml under podman with stand-in images and check it (part of make test)
	@bash $(S)/compose_test.sh

bench: bootstrap ## Benchmarks on a throwaway database; prints figures (ingest rate, rollup, reads, storage)
	@bash $(S)/bench.sh

report: bootstrap ## PNG and text summary of the dev database's last days into .local/report/: make report [DAYS=2]
	@TSDB_REPORT_DAYS="$(or $(DAYS),$(TSDB_REPORT_DAYS),2)" bash $(S)/report.sh

db-start: ## Start the project's PostgreSQL cluster (initialising it on first use)
	@bash $(S)/cluster.sh start

db-stop: ## Stop the project's PostgreSQL cluster
	@bash $(S)/cluster.sh stop

deploy: ## Deploy the Sqitch plan (with verify) to the dev database
	@bash $(S)/deploy.sh

psql: ## psql on the dev database as the superuser; ROLE=analyst for another role
	@bash $(S)/psql.sh $(ROLE)

load-segments: ## Import street segments: make load-segments FILE=segments.geojson (idempotent, reports rejects)
	@bash $(S)/load_segments.sh "$(FILE)"
