"""A report as a legacy Word 97 .doc: the .docx rendering converted by LibreOffice headless.

Each call uses its own temporary directory and LibreOffice profile
(``-env:UserInstallation``), so concurrent conversions do not fight over a
profile lock, and a timeout so a hung soffice cannot hang the caller.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.mirror.render.docx import render_docx
from tools.mirror.samples import SampleReport

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120


class SofficeMissing(RuntimeError):
    """LibreOffice is not installed; .doc files cannot be made on this machine."""


def _soffice() -> str:
    for name in SOFFICE_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise SofficeMissing("render_doc needs LibreOffice: install libreoffice-writer-nogui (soffice not on PATH)")


def render_doc(report: SampleReport, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The report as .doc bytes (an OLE compound file starting with d0 cf 11 e0)."""
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        work = Path(tmp)
        source = work / f"{report.id}.docx"
        source.write_bytes(render_docx(report))
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "doc:MS Word 97", "--outdir", str(work / "out"), str(source)]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        target = work / "out" / f"{report.id}.doc"
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"soffice could not convert {report.id} to .doc (exit {done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()[:500]}")
        return target.read_bytes()
