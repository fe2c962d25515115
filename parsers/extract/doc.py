"""Legacy Word (DOC, RTF) and WPS → Document.

A Word 97–2003 file (and a WPS file that is one) is read in pure Python
(:mod:`parsers.extract.word97`): no office suite needed.  What that reader
cannot read (Word 6/95, encrypted or damaged files, RTF) goes to LibreOffice
when it is installed: it converts the file to DOCX, which the DOCX extractor
reads.  Each conversion runs headless with a private, throwaway profile
(parallel conversions otherwise fight over the user's profile lock) and a
timeout.  Without LibreOffice, antiword gives the text (tables as
``|``-separated rows); without either, a clear error with the reason.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import olefile

from nianbao.parsers.extract.builder import DocumentBuilder
from nianbao.parsers.extract.docx import read_docx
from nianbao.parsers.extract.word97_document import read_word97
from nianbao.parsers.limits import CONVERTER_TIMEOUT_SECONDS, LimitExceeded, guarded
from nianbao.parsers.model import Document
from nianbao.parsers.sniff import OLE_MAGIC


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(command, capture_output=True, timeout=CONVERTER_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise LimitExceeded(f"{what} took longer than {CONVERTER_TIMEOUT_SECONDS:g} s") from exc


def convert_to_docx(soffice: str, data: bytes, suffix: str) -> bytes:
    """The document converted by LibreOffice headless; raises ValueError when it cannot."""
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        source = Path(tmp, f"input.{suffix}")
        source.write_bytes(data)
        profile = Path(tmp, "profile").as_uri()
        result = _run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
             "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(Path(tmp, "out")), str(source)],
            "LibreOffice conversion",
        )
        converted = Path(tmp, "out", "input.docx")
        if not converted.exists():
            detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise ValueError(f"LibreOffice could not convert the file (exit {result.returncode}): {detail}")
        return converted.read_bytes()


def antiword_document(data: bytes, fmt: str) -> Document:
    """Text through antiword: paragraphs, and ``|``-delimited table rows as table grids."""
    with tempfile.NamedTemporaryFile(suffix=".doc") as source:
        source.write(data)
        source.flush()
        result = _run(["antiword", "-m", "UTF-8.txt", "-w", "1000", source.name], "antiword")
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
        raise ValueError(f"antiword could not read the file: {detail}")
    builder = DocumentBuilder(fmt)
    rows: list[list[str]] = []
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        builder.add_table(rows)
        rows = []
        builder.add_text(line)
    builder.add_table(rows)
    return builder.document


def read_legacy(data: bytes, fmt: str) -> Document:
    """Read a DOC/WPS/RTF file as ``fmt``; ``meta["converter"]`` says which reader read it."""
    try:
        return read_word97(data, fmt)
    except ValueError as exc:
        reason = f"the built-in Word 97-2003 reader: {exc}"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        try:
            document = read_docx(convert_to_docx(soffice, data, fmt), fmt)
        except ValueError as exc:
            raise ValueError(f"{reason}; {exc}") from exc
        document.meta["converter"] = "libreoffice"
    elif shutil.which("antiword"):
        document = antiword_document(data, fmt)
        document.meta["converter"] = "antiword (merged cells are not expanded)"
    else:
        raise ValueError(f"cannot read {fmt.upper()}: {reason}; neither LibreOffice (soffice) nor antiword "
                         "is installed to try instead")
    return document


def check_word_container(data: bytes) -> None:
    """An OLE container must hold a Word document: LibreOffice would read any other bytes as text."""
    if not data.startswith(OLE_MAGIC):
        return  # RTF
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("WordDocument"):
                return
    except Exception as exc:
        raise ValueError(f"a damaged OLE file, or not a Word document: {exc}") from exc
    raise ValueError("an OLE file without a WordDocument stream: not a Word document")


@guarded("doc")
def extract(data: bytes) -> Document:
    check_word_container(data)
    return read_legacy(data, "doc")
