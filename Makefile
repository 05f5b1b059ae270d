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

PT := work_dirs/vmae_vitt_synthetic
FT := work_dirs/vmae_vitt_synthetic_ft
FT_CONFIG := configs/vmae_vitt_synthetic_ft.py

# Pretrain the tiny model on the synthetic videos, finetune its encoder,
# test with multi-view inference, then draw masks and a reconstruction and
# classify one video.
demo: install
	$(PY) tools/train.py $(DEMO_CONFIG)
	$(PY) tools/train.py $(FT_CONFIG)
	$(PY) tools/test.py $(FT_CONFIG) "$$(cat $(FT)/last_checkpoint)" \
	    --dump $(FT)/test_scores.pkl
	$(PY) tools/visualize/show_masks.py $(DEMO_CONFIG) \
	    --video data/synthetic/videos/val/00003.mp4 --out $(PT)/masks \
	    --checkpoint "$$(cat $(PT)/last_checkpoint)"
	$(PY) demo/demo.py data/synthetic/videos/val/00003.mp4 $(FT_CONFIG) \
	    "$$(cat $(FT)/last_checkpoint)" --label-map data/synthetic/label_map.txt \
	    --out $(FT)/prediction.png
	@echo
	@echo "Pretraining: $(PT)/ (logs, checkpoints, flops.json, vis/, masks/)"
	@echo "Finetuning and test: $(FT)/ (test_scores.pkl, prediction.png)"

test: install-tests
	$(PY) -m pytest -q tests

clean-demo:
	rm -rf $(PT) $(FT) data/synthetic
