# Two commands: `make demo` and `make test`. Both create .venv and install
# what is missing first. TORCH picks the torch build (the default is the
# pinned CPU-or-CUDA wheel from PyPI; set TORCH= to keep an installed one).
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
PY := $(VENV)/bin/python
DEMO_CONFIG ?= configs/vmae_vitt_synthetic.py

.PHONY: install install-tests demo test clean-demo

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) setup.cfg pyproject.toml
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install $(TORCH)
	$(PY) -m pip install -e ".[lite]"
	@touch $@

$(VENV)/.installed-tests: $(VENV)/.installed
	$(PY) -m pip install -e ".[lite,tests]"
	@touch $@

install: $(VENV)/.installed

install-tests: $(VENV)/.installed-tests

demo: install
	$(PY) tools/train.py $(DEMO_CONFIG)
	@echo
	@echo "Logs, config and checkpoints: work_dirs/$(basename $(notdir $(DEMO_CONFIG)))/"

test: install-tests
	$(PY) -m pytest -q tests

clean-demo:
	rm -rf work_dirs/$(basename $(notdir $(DEMO_CONFIG))) data/synthetic
