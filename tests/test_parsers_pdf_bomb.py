"""Decompression bombs in PDFs: a clear error, fast, without the memory; also under an address-space cap."""

from __future__ import annotations

import json
import resource
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

from nianbao.parsers import parse_bytes

MiB = 1 << 20


def zlib_of_zeros(size: int) -> bytes:
    """A zlib stream of ``size`` zero bytes (a multiple of 1 MiB), built without compressing them all.

    After a full flush the compressor forgets what came before, so every further MiB of zeros
    compresses to the same block: one block, repeated, then the end with the right checksum."""
    compressor = zlib.compressobj(9)
    head = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4]
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a = 1, b = size mod 65521
    return head + block * (size // MiB - 1) + end + struct.pack(">I", adler)


def pdf_with_streams(*streams: tuple[bytes, bytes]) -> bytes:
    """A one-page PDF whose page draws the given (dictionary entries, Flate data) streams as its contents."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    first = len(objects) + 2
    contents = b" ".join(b"%d 0 R" % (first + i) for i in range(len(streams)))
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [%s] >>" % contents)
    for entries, data in streams:
        objects.append(b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data))
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_the_bomb_helper_makes_what_it_says():
    data = zlib_of_zeros(8 * MiB)
    assert zlib.decompress(data) == bytes(8 * MiB)


def test_a_1mb_pdf_inflating_to_1gib_is_refused_fast_with_a_clear_error():
    bomb = pdf_with_streams((b"", zlib_of_zeros(1024 * MiB)))
    assert len(bomb) < 1.2 * MiB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = parse_bytes(bomb, path="bomb.pdf")
    assert time.monotonic() - started < 15
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, f"the refusal took {grown_mb:.0f} MB"
    at = bomb.index(b"\nstream\n") + 1
    assert result.errors == [f"pdf: limit exceeded: a stream at byte {at:,} inflates to more than 134,217,728 bytes "
                             "(decompression bomb?)"]
    assert not result.figures and result.template == "unknown"


def test_a_picture_declaring_too_many_pixels_is_refused():
    bomb = pdf_with_streams((b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /BitsPerComponent 8",
                             zlib.compress(b"\0" * 1000)))
    (error,) = parse_bytes(bomb).errors
    assert "100,000 × 100,000 pixels, over the 100,000,000-pixel limit" in error


def test_an_ordinary_small_flate_pdf_still_reads():
    page = zlib.compress(b"BT /F1 12 Tf 72 720 Td (2023) Tj ET")
    result = parse_bytes(pdf_with_streams((b"", page)))
    assert not any("limit exceeded" in e for e in result.errors)


def test_parse_command_under_a_2gib_address_space_cap_prints_a_json_error(tmp_path: Path):
    """The issue's check: ``ulimit -v 2097152; nianbao parse --json bomb.pdf`` with a 2 GiB stream."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_with_streams((b"", zlib_of_zeros(2048 * MiB))))
    nianbao = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert nianbao, "the nianbao command is installed with the package"
    cap = 2048 * MiB

    def limit_address_space() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    done = subprocess.run([nianbao, "parse", "--json", str(bomb)], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit_address_space)
    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    assert result["path"] == str(bomb) and result["template"] == "unknown"
    assert any("inflates to more than" in e for e in result["errors"]), result["errors"]
    assert done.returncode == 1  # nothing could be read
