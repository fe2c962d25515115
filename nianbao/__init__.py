"""The ``nianbao`` command line and the glue between crawler, parsers and archive."""

__version__ = "0.1.0"
