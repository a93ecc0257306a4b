"""`python -m desktop` runs the app; `python -m desktop predict FILE...` recognizes files headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if argv and argv[0] == "predict":
        from desktop.cli import main as predict

        return predict(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m desktop", description="Draw a digit and watch a neural network read it.",
                                     epilog="Subcommand: 'predict FILE... [--json] [--model PATH]' recognizes files without a window.")
    parser.add_argument("--model", type=Path, help="ONNX model to start with (default: the last one used, else the bundled one)")
    args, _ = parser.parse_known_args(argv)
    from desktop.app import run

    return run(args.model)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry()
