"""The journalists' site: Datasette plugins, templates and metadata, registered through entry points.

Installed with nianbao, Datasette finds this package by its ``datasette`` entry points, so both
``nianbao serve`` and a plain ``datasette archive.db`` show the site; ``templates/`` here is
found by Datasette as the plugin's template folder.
"""

from __future__ import annotations

from importlib.resources import files

import yaml


def load_metadata() -> dict:
    """metadata.yml as shipped with the package (the top-level ``metadata.yml`` of the checkout)."""
    return yaml.safe_load((files(__name__) / "metadata.yml").read_text(encoding="utf-8"))
