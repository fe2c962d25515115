"""A Document (any format) → a ParseResult: metadata, sections, raw tables, figures, checks.

This is the one place the template knowledge meets an extracted document;
every extractor's output goes through :func:`build_report`.
"""

from __future__ import annotations

from nianbao.parsers.checks import run_checks
from nianbao.parsers.detect import detect_template
from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import logical_tables
from nianbao.parsers.map_active import map_active
from nianbao.parsers.map_appeals import map_appeals
from nianbao.parsers.map_legacy import map_legacy
from nianbao.parsers.map_requests import map_requests
from nianbao.parsers.metadata import find_agency, find_published, find_title, find_year
from nianbao.parsers.model import Document, ParseResult
from nianbao.parsers.narrative import narrative_checks
from nianbao.parsers.sections import split_sections
from nianbao.parsers.templates import TEMPLATES

MAPPERS = (map_active, map_requests, map_appeals, map_legacy)


def read_figures(doc: Document) -> FigureSet:
    """Every figure the document's tables give, under any template."""
    figs = FigureSet()
    tables = logical_tables(doc)
    for mapper in MAPPERS:
        mapper(tables, figs)
    return figs


def build_report(doc: Document) -> ParseResult:
    result = ParseResult(format=doc.format, needs_ocr=doc.needs_ocr, ocr=doc.ocr, errors=list(doc.errors))
    result.title = find_title(doc)
    result.agency = find_agency(doc, result.title)
    result.year = find_year(doc, result.title)
    result.published = find_published(doc)
    result.sections = split_sections(doc)
    result.tables = [{"title": t.title, "page": t.page, "rows": t.rows, "spans": t.spans, "confidence": t.confidence}
                     for t in doc.tables]

    figs = read_figures(doc)
    result.template = detect_template(set(figs.values), doc.text, result.year)
    keys = TEMPLATES.keys_by_template.get(result.template, [])
    result.figures = {k: figs.values[k] for k in keys if k in figs.values}
    result.inferred = [k for k in figs.inferred if k in result.figures]
    result.provenance = {k: v for k, v in figs.provenance.items() if k in result.figures}
    if doc.ocr:  # figures inferred from OCR'd cells were read by OCR too
        for key in result.figures:
            result.provenance.setdefault(key, {"source": "ocr", "confidence": None})
    result.notes = figs.notes
    result.checks = run_checks(result.figures) + narrative_checks(doc.text, result.figures)
    return result
