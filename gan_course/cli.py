"""python -m gan_course COMMAND — the course's command line.

check-data   verify data/ against data/MANIFEST.sha256 (run by `make lab`)
info         the environment report of 00_start_here, as JSON
"""
from __future__ import annotations

import argparse
import json
import sys

from . import data, runtime


def _check_data(args) -> int:
    names = data.check_all(args.root)
    print(f"data OK: {len(names)} files match {runtime.data_root(args.root) / 'MANIFEST.sha256'}")
    return 0


def _info(args) -> int:
    print(json.dumps(runtime.report()))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check-data", help="verify the embedded data files")
    p.add_argument("--root", default=None, help="data folder (default: $GAN_COURSE_DATA or data/)")
    p.set_defaults(run=_check_data)
    sub.add_parser("info", help="python/torch versions, device, threads").set_defaults(run=_info)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (data.DataFileError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
