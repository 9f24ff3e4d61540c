"""The thin command-line layer: parse flags, call the core, print. One module per command."""
