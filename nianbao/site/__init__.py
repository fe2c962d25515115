"""The journalists' site: Datasette plugins, templates and metadata, registered through entry points.

Installed with nianbao, Datasette finds this package by its ``datasette`` entry points, so both
``nianbao serve`` and a plain ``datasette archive.db`` show the site; ``templates/`` here is
found by Datasette as the plugin's template folder, ``static/`` as its static folder.
"""

from __future__ import annotations

from importlib.resources import files

import yaml
from datasette import hookimpl


def load_metadata() -> dict:
    """metadata.yml as shipped with the package (the top-level ``metadata.yml`` of the checkout)."""
    return yaml.safe_load((files(__name__) / "metadata.yml").read_text(encoding="utf-8"))


@hookimpl
def extra_css_urls(datasette):
    """The site's stylesheet for every page (static/nianbao.css, served from the plugin's static folder)."""
    return [datasette.urls.static_plugins("nianbao", "nianbao.css")]
