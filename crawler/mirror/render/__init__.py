"""Renderers: a :class:`~crawler.mirror.samples.SampleReport` in the formats portals publish."""

from crawler.mirror.render.html import render_html
from crawler.mirror.render.pdf import render_pdf

__all__ = ["render_html", "render_pdf"]
