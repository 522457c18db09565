"""The `handbook` command: parses arguments, calls the pipeline, prints, exits. Nothing more.

`main` is the console script (`handbook = "generator.cli:main"`); `python -m generator.cli` runs it
too. No generator module imports this package: it sits on top of everything.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from types import FrameType

from ..errors import BuildFailed
from .acks import run_acks, run_signoff
from .commands import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    run_build,
    run_check,
    run_new,
    run_publish,
    run_reviewed,
    run_schema,
    run_serve,
)
from .parser import argument_parser

__all__ = ["EXIT_FAILED", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.handlers[:] = [handler]
    mkdocs_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    mkdocs_logger.propagate = False


class Stopped(BaseException):
    """SIGTERM or SIGHUP (a closed terminal) arrived: stop like Ctrl-C, cleaning up on the way.

    A BaseException, like KeyboardInterrupt, so no `except Exception` takes it for a bug.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the `handbook` command line and return its exit status."""
    # Material 9.7+ prints a long MkDocs 2.0 notice on every run; it would bury our own output.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    arguments = argument_parser().parse_args(argv)
    # Without a handler these signals end the process at once: the half-built folder stays
    # behind and the person is told nothing.
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _run(arguments)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _run(arguments: argparse.Namespace) -> int:
    """The command, with every way it can end turned into a message and an exit status."""
    root = arguments.project.resolve()
    _setup_logging(verbose=False)
    try:
        if arguments.command == "build":
            return run_build(root, arguments)
        if arguments.command == "check":
            return run_check(root, arguments)
        if arguments.command == "reviewed":
            return run_reviewed(root, arguments)
        if arguments.command == "publish":
            return run_publish(root, arguments)
        if arguments.command == "new":
            return run_new(root, arguments)
        if arguments.command == "schema":
            return run_schema(root)
        if arguments.command == "serve":
            return run_serve(root, arguments)
        if arguments.command == "acks":
            return run_acks(root, arguments)
        if arguments.command == "signoff":
            return run_signoff(root, arguments)
    except BuildFailed as failure:
        print(failure.report(), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("handbook: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Stopped as stopped:
        name = signal.Signals(stopped.signum).name
        print(f"handbook: stopped by {name}; nothing was published", file=sys.stderr)
        return 128 + stopped.signum
    except Exception as error:  # A bug of ours, not bad input: say so, briefly.
        if arguments.debug:
            traceback.print_exc()
        print(
            f"handbook: internal error: {type(error).__name__}: {error}\n"
            "nothing was published; run with --debug for details and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return EXIT_USAGE
