"""Word 97-2003 .doc (and WPS) read in pure Python: the same grids as LibreOffice's conversion, no office
suite needed, tracked deletions not printed, and a clear error for what it cannot read."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest

from nianbao.parsers.extract import doc as doc_extractor
from nianbao.parsers.extract import wps as wps_extractor
from nianbao.parsers.extract.doc import convert_to_docx
from nianbao.parsers.extract.docx import read_docx
from nianbao.parsers.extract.word97_document import read_word97
from tools.mirror.render.doc import render_doc
from tools.mirror.samples import REPORTS_DIR, load_reports

# The sample report sample-yinchuan-2022 as LibreOffice's Word 97 export of its DOCX rendering
# (tools/mirror/render/doc.py), kept as a file so no office suite is needed to test reading it.
MIRROR_DOC = Path(__file__).parent / "fixtures" / "doc" / "sample-yinchuan-2022.doc"
MIRROR_DOC_REPORT = "sample-yinchuan-2022"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _libreoffice_document(data: bytes):
    assert SOFFICE
    return read_docx(convert_to_docx(SOFFICE, data, "doc"), "doc")


def _same_as_libreoffice(data: bytes) -> None:
    pure, converted = read_word97(data), _libreoffice_document(data)
    assert [t.rows for t in pure.tables] == [t.rows for t in converted.tables]
    assert [t.spans for t in pure.tables] == [t.spans for t in converted.tables]
    assert [(b.kind, b.text) for b in pure.blocks] == [(b.kind, b.text) for b in converted.blocks]


@needs_soffice
def test_mirror_doc_reads_as_libreoffice_converts_it():
    _same_as_libreoffice(MIRROR_DOC.read_bytes())


@needs_soffice
def test_rendered_doc_with_six_tables_reads_as_libreoffice_converts_it():
    report = next(r for r in load_reports() if r.id == "sample-yinchuan-2021")
    _same_as_libreoffice(render_doc(report))


def test_mirror_doc_parses_with_no_office_suite_on_path(tmp_path):
    """The demo's .doc report, parsed by `nianbao parse` with a PATH holding only the venv: no soffice, no antiword."""
    bin_dir = Path(sys.executable).parent
    assert not any((bin_dir / name).exists() for name in ("soffice", "libreoffice", "antiword"))
    done = subprocess.run([str(bin_dir / "nianbao"), "parse", "--json", str(MIRROR_DOC)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PATH": str(bin_dir)}, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    report = json.loads((REPORTS_DIR / f"{MIRROR_DOC_REPORT}.json").read_text(encoding="utf-8"))
    assert (result["format"], result["errors"]) == ("doc", [])
    assert result["figures"] == report["figures"]
    assert (result["template"], result["year"], result["agency"]) == (report["template"], report["year"], report["agency"])


def test_wps_ole_word_file_reads_the_same():
    document = wps_extractor.extract(MIRROR_DOC.read_bytes())
    assert (document.format, document.errors) == ("wps", [])
    assert document.meta["converter"] == "built-in Word 97-2003 reader"
    assert [t.rows for t in document.tables] == [t.rows for t in read_word97(MIRROR_DOC.read_bytes()).tables]


def _tracked_changes_docx() -> bytes:
    """A DOCX with tracked changes: a deleted 99 and an inserted 10 in the text, a deleted 7 in a cell."""
    change = 'w:author="a" w:date="2020-01-01T00:00:00Z"'
    body = (f'<w:p><w:r><w:t>共收到申请</w:t></w:r><w:del w:id="1" {change}><w:r><w:delText>99</w:delText></w:r></w:del>'
            f'<w:ins w:id="2" {change}><w:r><w:t>10</w:t></w:r></w:ins><w:r><w:t>件。</w:t></w:r></w:p>'
            '<w:tbl><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid><w:tr>'
            '<w:tc><w:p><w:r><w:t>本年新收</w:t></w:r></w:p></w:tc>'
            f'<w:tc><w:p><w:del w:id="3" {change}><w:r><w:delText>7</w:delText></w:r></w:del><w:r><w:t>8</w:t></w:r></w:p></w:tc>'
            '</w:tr></w:tbl><w:p/>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
                                              f"<w:body>{body}</w:body></w:document>")
    return buffer.getvalue()


@needs_soffice
def test_tracked_deletions_are_not_printed(tmp_path):
    source = tmp_path / "tracked.docx"
    source.write_bytes(_tracked_changes_docx())
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    document = read_word97((tmp_path / "tracked.doc").read_bytes())
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == ["共收到申请10件。"]
    assert document.tables[0].rows == [["本年新收", "8"]]


def _patched(tmp_path: Path, offset: int, value: int) -> bytes:
    """The mirror .doc with one 16-bit word of its FIB changed."""
    path = tmp_path / "patched.doc"
    shutil.copy(MIRROR_DOC, path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        struct.pack_into("<H", stream, offset, value)
        ole.write_stream("WordDocument", bytes(stream))
    return path.read_bytes()


def _without_converters(monkeypatch) -> None:
    monkeypatch.setattr(doc_extractor.shutil, "which", lambda name: None)


def test_word95_file_is_a_clear_error_without_libreoffice(tmp_path, monkeypatch):
    _without_converters(monkeypatch)
    document = doc_extractor.extract(_patched(tmp_path, 0, 0xA5DC))
    assert document.errors == ["doc: could not read the document: ValueError: cannot read DOC: the built-in Word "
                               "97-2003 reader: a Word 6/95 file; only Word 97-2003 is read without "
                               "LibreOffice; neither LibreOffice (soffice) nor antiword is installed to try instead"]


def test_encrypted_doc_is_a_clear_error_without_libreoffice(tmp_path, monkeypatch):
    _without_converters(monkeypatch)
    flags = struct.unpack_from("<H", olefile.OleFileIO(str(MIRROR_DOC)).openstream("WordDocument").read(), 0x0A)[0]
    document = doc_extractor.extract(_patched(tmp_path, 0x0A, flags | 0x0100))
    assert len(document.errors) == 1 and "password-protected (encrypted)" in document.errors[0]


def test_truncated_doc_is_a_clear_error(monkeypatch):
    _without_converters(monkeypatch)
    document = doc_extractor.extract(MIRROR_DOC.read_bytes()[:20000])
    assert document.blocks == [] and len(document.errors) == 1
    assert "a damaged OLE file, or not a Word document" in document.errors[0]


def test_damaged_word_structures_in_a_sound_container_are_a_clear_error(tmp_path, monkeypatch):
    _without_converters(monkeypatch)
    document = doc_extractor.extract(_patched(tmp_path, 0x1A2 + 2, 0x7FFF))  # fcClx far beyond the table stream
    assert document.blocks == []
    assert document.errors == ["doc: could not read the document: ValueError: cannot read DOC: the built-in Word "
                               "97-2003 reader: the FIB points beyond the table stream (truncated file?); neither "
                               "LibreOffice (soffice) nor antiword is installed to try instead"]
