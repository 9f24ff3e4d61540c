"""`python -m alignment_cli` and the `alignment` console command."""

from __future__ import annotations

_PLUGIN_LOADER = "pydantic.plugin._loader"
#: The values with which pydantic's get_plugins returns no plugins without looking for any.
_PLUGINS_OFF = ("__all__", "1", "true")


def main() -> None:
    import gc
    import os

    # Start-up (imports, Typer's commands) makes objects that live to the end: the collector
    # would only scan them again and again (~7% of a command's --help). It is frozen and back
    # on when a command starts (cli/main.py, `_resume_collector`).
    gc.disable()

    # pydantic scans every installed package's entry points for plugins the first time it
    # builds a validator (tens of ms, more in a big environment); the CLI uses none. An explicit
    # PYDANTIC_DISABLE_PLUGINS (even empty, to allow them all) is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in _PLUGINS_OFF:
        _no_plugin_loader()
    import sys

    from alignment_cli.cli import main as cli

    cli.START_UP_PAUSED = True
    try:
        cli.for_argv(sys.argv)()
    except BrokenPipeError:  # help text piped into `head`, before any command ran
        cli._quiet_broken_pipe()


def _no_plugin_loader() -> None:
    """With plugins off, pydantic's plugin loader answers "none" without looking, but importing
    it imports importlib.metadata (and email, zipfile, socket: ~15 ms of `score`'s start-up).
    A stand-in, found only when pydantic asks for it, gives the same answer;
    tests/test_startup_imports.py checks that pydantic takes nothing else from the loader and
    that the real one says the same."""
    import sys

    if _PLUGIN_LOADER not in sys.modules:
        sys.meta_path.insert(0, _PluginsOff)  # type: ignore[arg-type]


def _no_plugins() -> tuple[()]:
    return ()


class _PluginsOff:
    """The finder and loader of the stand-in for pydantic's plugin loader."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> object:
        if name != _PLUGIN_LOADER:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, _PluginsOff)  # type: ignore[arg-type]

    @staticmethod
    def create_module(spec: object) -> None:
        return None  # the default module

    @staticmethod
    def exec_module(module: object) -> None:
        module.__doc__ = "Stand-in: plugins are off (alignment_cli.__main__)."
        module.get_plugins = _no_plugins  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
