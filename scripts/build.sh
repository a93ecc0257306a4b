#!/usr/bin/env bash
# Build the desktop app with PyInstaller, then run the built executable's self-test.
#
#   ./dev build [lean|full]     (default: full; ./dev prepares .venv, then runs this script)
#
#   lean  the app only (onnxruntime + Qt), no training              ~150 MB, builds in ~30 s
#   full  the app plus the training worker (TensorFlow, tf2onnx...)  ~1.5 GB, builds in ~3 min
#
# Output: dist/HandwritingRecognizer-<flavour>/HandwritingRecognizer (ship the whole folder).
# Needs .venv/ with the build extra (and train for full): use ./dev build. The build runs
# at low priority (nice) so that a machine busy training stays usable. Exit status: PyInstaller's,
# else the self-test's (0: the bundled model reads the built-in drawings and, in full, the training
# worker trains).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-full}"
case "$flavour" in
    lean|full) ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) sed -n '2,13p' "$0" >&2; exit 64 ;;
esac

app="dist/HandwritingRecognizer-$flavour"
echo "building $app ..."
start=$(date +%s)
HWR_FLAVOUR="$flavour" nice -n "${HWR_NICE:-19}" .venv/bin/python -m PyInstaller --noconfirm --log-level "${HWR_PYI_LOG:-WARN}" \
    --distpath dist --workpath "build/pyinstaller-$flavour" build.spec
echo "built $app in $(( $(date +%s) - start )) s: $(du -sh "$app" | cut -f1)"

echo "self-test of $app/HandwritingRecognizer:"
QT_QPA_PLATFORM=offscreen "$app/HandwritingRecognizer" --self-test
