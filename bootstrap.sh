#!/bin/sh
# Install whatever is missing on a fresh Debian machine (run as root or with sudo):
# ngspice and its shared library, the Fashion-MNIST data package, a virtual environment in
# .venv and rram-ber itself. With --test also Chromium (report tests) and tox.
set -eu
cd "$(dirname "$0")"

with_tests=no
[ "${1:-}" = "--test" ] && with_tests=yes

packages=""
command -v ngspice >/dev/null 2>&1 || packages="$packages ngspice"
dpkg -s libngspice0-dev >/dev/null 2>&1 || packages="$packages libngspice0-dev"
[ -d /usr/share/datasets/fashion-mnist ] || packages="$packages dataset-fashion-mnist"
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || packages="$packages python3-venv"
if [ "$with_tests" = yes ]; then
    command -v chromium >/dev/null 2>&1 || packages="$packages chromium"
fi
if [ -n "$packages" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $packages
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
if [ "$with_tests" = yes ]; then
    .venv/bin/python -m pip install --quiet -e ".[dask,ecg,test,train,onnx]" tox
else
    .venv/bin/python -m pip install --quiet -e .
fi
