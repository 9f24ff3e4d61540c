"""alignment: audit how well an organisation's sales and marketing functions work together."""

__version__ = "0.1.0"
