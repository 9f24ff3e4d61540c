"""`python -m alignment_cli` and the `alignment` console command."""

from __future__ import annotations


def main() -> None:
    from alignment_cli.cli.main import _quiet_broken_pipe, app

    try:
        app()
    except BrokenPipeError:  # help text piped into `head`, before any command ran
        _quiet_broken_pipe()


if __name__ == "__main__":
    main()
