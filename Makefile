# Pageless device-dax: the kernel series, and the harness that builds,
# boots and tests it. "make help" lists the targets.

SHELL := /bin/bash
S := scripts

.PHONY: all demo deps base tree export series-check build check bench run shell lint clean help

all: demo

help:
	@echo "make [demo]      build the kernel and boot the demo guest"
	@echo "make check       build, then run the test suite in QEMU guests (T=regex to filter)"
	@echo "make build       fetch the base, make the tree, build kernel, modules, nfit_test"
	@echo "make tree        kernel git tree in build/linux: base + patches/ applied"
	@echo "make export      write the tree's commits back to patches/"
	@echo "make series-check  fail if the tree holds work that is not in patches/"
	@echo "make bench       build, then run the benchmarks, a guest each (B=devdax|vfio|kvm|scale; bench/results/)"
	@echo "make run CMD='...' [VM='--append memmap=2G!4G --edu ...']  run a command in a guest"
	@echo "make shell [G=group] [VM='...']  an interactive guest, booted as tests/G/vm.conf says"
	@echo "make lint        shellcheck the harness"
	@echo "make clean       remove build/ (refused while the tree has un-exported work)"

deps:
	@$(S)/deps.sh

base: deps
	@$(S)/fetch-base.sh >/dev/null

tree: deps
	@$(S)/tree.sh

export:
	@$(S)/export.sh

series-check:
	@$(S)/series-check.sh

build: deps
	@$(S)/build.sh

demo: build
	@$(S)/demo.sh

check: deps
	@$(S)/check.sh

bench: build
	@$(S)/bench.sh

run: build
	@$(S)/vm.sh $(VM) -- bash -c '$(or $(CMD),uname -a)'

shell: build
	@$(S)/vm.sh --shell $(if $(G),--group $(G)) $(VM)

lint: deps
	@$(S)/lint.sh

clean:
	@$(S)/series-check.sh >/dev/null || { $(S)/series-check.sh; \
		echo "clean: refusing to delete build/ with un-exported work"; exit 1; }
	rm -rf build
