#!/bin/sh
# Make (or re-make) the course's virtual environment; called by the Makefile's install step.
#
#   sh tools/venv.sh PYTHON VENV SETTINGS
#
# PYTHON is the interpreter to build it from (the Makefile's PYTHON), VENV the folder (.venv),
# SETTINGS one line naming what the venv is built with (PYTHON and TORCH_INDEX). The venv is made
# again when it is half-made (no python, or a python without pip: what `python3 -m venv` leaves when
# Debian's python3-venv is missing), when its python is older than 3.10, or when it was made with
# other SETTINGS (another PYTHON, another TORCH_INDEX). Each failure prints one line saying what to do.
# tests/repository/test_makefile.py runs each case with a stand-in python.
set -u
PY=$1 VENV=$2 SETTINGS=$3
MIN=3.10

fail() { echo "make: $*" >&2; exit 1; }

version_ok() {  # version_ok PYTHON: true when it runs and is >= 3.10
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1
}

usable() {      # the venv works: a python >= 3.10 with pip, made with these settings (or with none recorded)
    [ -x "$VENV/bin/python" ] && version_ok "$VENV/bin/python" \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1 \
        && { [ ! -f "$VENV/.made-with" ] || [ "$(cat "$VENV/.made-with")" = "$SETTINGS" ]; }
}

if usable; then
    [ -f "$VENV/.made-with" ] || printf '%s\n' "$SETTINGS" > "$VENV/.made-with"
    exit 0
fi

command -v "$PY" >/dev/null 2>&1 || fail "'$PY' was not found. Install Python $MIN or newer and name it, e.g. \`make lab PYTHON=python3.12\`."
if ! version_ok "$PY"; then
    have=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "?")
    fail "$PY is Python $have; the course needs $MIN or newer. Install one and name it, e.g. \`make lab PYTHON=python3.12\`."
fi

[ -e "$VENV/bin" ] && echo "Re-making $VENV: it was half-made, older than Python $MIN, or made with other settings than $SETTINGS"
rm -rf "$VENV"
if ! "$PY" -m venv "$VENV" || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$VENV"
    fail "$PY could not make a virtual environment with pip in it. On Debian/Ubuntu: \`sudo apt install python3-venv\` (for python3.12: python3.12-venv), then run make again."
fi
printf '%s\n' "$SETTINGS" > "$VENV/.made-with"
printf '%s\n' "$SETTINGS" > "$VENV/.settings"   # the Makefile's record of the settings, rewritten only when they change
