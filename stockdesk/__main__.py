"""``python -m stockdesk``, the ``stockdesk`` script and the frozen bundle's entry point."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line, or the window when no command is given; return the exit code.

    ``argv`` excludes the program name, as ``argparse.parse_args`` takes it
    (docs/contracts.md, "Window").
    """
    from stockdesk import cli, logs

    args = cli.build_parser().parse_args(argv)
    logs.setup_logging()
    if args.self_test:
        from stockdesk.selftest import run_self_test

        return run_self_test(screenshot=args.screenshot)
    if args.command == "serve":
        from stockdesk.server.command import serve

        return serve(args)
    if args.command is not None:
        return cli.run(args)
    from stockdesk.app import run_app

    return run_app(
        database=getattr(args, "db", None),
        server=getattr(args, "server", None),
        demo=bool(getattr(args, "demo", False)),
        argv=argv,
    )


def entry_point() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    multiprocessing.freeze_support()
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry_point()
