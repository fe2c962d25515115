"""Renderers: a :class:`~tools.mirror.samples.SampleReport` in the formats portals publish.

``render_html`` (article body fragment), ``render_pdf``, ``render_docx`` and
``render_doc`` (needs LibreOffice).  Table layouts live in ``layout``.
"""

from tools.mirror.render.doc import SofficeMissing, render_doc
from tools.mirror.render.docx import render_docx
from tools.mirror.render.html import render_html
from tools.mirror.render.pdf import render_pdf
from tools.mirror.samples import load_reports

__all__ = ["SofficeMissing", "load_reports", "render_doc", "render_docx", "render_html", "render_pdf"]
