"""`python -m alignment_cli` and the `alignment` console command."""

from __future__ import annotations


def main() -> None:
    from .cli.main import app

    app()


if __name__ == "__main__":
    main()
