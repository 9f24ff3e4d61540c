"""`python -m alignment_cli` and the `alignment` console command."""

from __future__ import annotations


def main() -> None:
    import os

    # pydantic scans every installed package's entry points for plugins the first time it
    # builds a validator (tens of ms, more in a big environment); the CLI uses none. An explicit
    # PYDANTIC_DISABLE_PLUGINS (even empty, to allow them all) is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    import sys

    from alignment_cli.cli.main import _quiet_broken_pipe, for_argv

    try:
        for_argv(sys.argv)()
    except BrokenPipeError:  # help text piped into `head`, before any command ran
        _quiet_broken_pipe()


if __name__ == "__main__":
    main()
