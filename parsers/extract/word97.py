"""Word 97–2003 binary documents (``.doc``, and WPS files that are OLE Word documents) read in pure Python.

What a report needs from the binary format ([MS-DOC]) is small: the main
text and which paragraphs are table cells and row ends.

- The FIB at the start of the ``WordDocument`` stream says which table
  stream holds the tables of the file (``0Table`` or ``1Table``,
  ``fWhichTblStm``), how long the main text is (``ccpText``) and where the
  piece table (``Clx``), the paragraph properties (``PlcBtePapx``) and the
  styles (``STSH``) are.
- The piece table maps character positions to bytes: each piece is either
  8-bit (cp1252, "compressed") or UTF-16.
- A paragraph ends at ``\\r``, or at ``\\x07`` inside a table, where it ends a
  cell; a paragraph whose properties carry ``sprmPFTtp`` is the row end
  mark, and its properties hold the row's cell edges and merge flags
  (``sprmTDefTable``, ``sprmTVertMerge``, ``sprmTMerge``).

Anything this reader cannot read (Word 6/95, encrypted files) raises
:class:`Unsupported`; a damaged file raises ``ValueError`` with the reason.
"""

from __future__ import annotations

import io
import re
import struct
from bisect import bisect_right
from dataclasses import dataclass, field

import olefile

WORD_IDENT = 0xA5EC
WORD6_IDENT = 0xA5DC  # Word 6.0 and Word 95
WORD97_NFIB = 0x00C1
_FC_CLX, _FC_STSHF, _FC_PLCF_BTE_CHPX, _FC_PLCF_BTE_PAPX = 33, 1, 12, 13  # indices in FibRgFcLcb97
_FKP_SIZE = 512
_HEADING_STIS = frozenset(range(1, 10)) | {62}  # built-in styles heading 1-9 and Title
_HEADING_NAME = re.compile(r"^(heading|标题|title)\s*\d*$", re.IGNORECASE)
_BODY_TEXT_LEVEL = 9

# The sprms read here ([MS-DOC] 2.6).
SPRM_P_OUTLINE_LEVEL = 0x2640
SPRM_P_IN_TABLE = 0x2416
SPRM_P_TTP = 0x2417
SPRM_P_ITAP = 0x6649
SPRM_P_INNER_CELL = 0x244B
SPRM_P_INNER_TTP = 0x244C
SPRM_T_DEF_TABLE = 0xD608
SPRM_T_VERT_MERGE = 0xD62B
SPRM_T_MERGE = 0x5624
SPRM_P_CHG_TABS = 0xC615
SPRM_C_DELETED = 0x0800  # sprmCFRMarkDel: text deleted with change tracking on, not printed
SPRM_P_HUGE_PAPX = 0x6646  # the properties are too long for their page: they sit in the Data stream
_FIXED_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # operand size by spra

# Field codes (\x13 code \x14 result \x15) show their result; other control characters are objects.
FIELD_BEGIN, FIELD_SEPARATOR, FIELD_END = "\x13", "\x14", "\x15"
PARAGRAPH_END, CELL_END, SECTION_END = "\r", "\x07", "\x0c"
LINE_BREAK = "\x0b"
_DROPPED = {c: None for c in range(0x20) if chr(c) not in "\t\x0b"}


class Unsupported(ValueError):
    """A Word file this reader does not read (Word 6/95, encrypted); LibreOffice may."""


@dataclass
class RowProps:
    """A table row as its row end mark describes it."""

    edges: list[int]  # cell boundaries in twips, one more than cells
    vertical: list[int] = field(default_factory=list)  # per cell: 0 none, 1 continues the cell above, 3 starts
    merged: list[bool] = field(default_factory=list)  # per cell: continues the cell to its left (old style)


@dataclass
class Paragraph:
    text: str  # without its end mark; manual line breaks kept as \x0b
    end: str  # PARAGRAPH_END, CELL_END or SECTION_END
    depth: int  # table nesting: 0 outside tables
    row_end: bool  # the row end mark of a (depth 1) table row
    cell_end: bool  # ends a cell of the outermost table
    heading: bool
    row: RowProps | None = None


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def sprms(grpprl: bytes) -> list[tuple[int, bytes]]:
    """The (sprm, operand) pairs of a property list; a truncated last one is dropped."""
    found = []
    i = 0
    while i + 2 <= len(grpprl):
        sprm = _u16(grpprl, i)
        i += 2
        spra = sprm >> 13
        if spra in _FIXED_OPERAND:
            start, size = i, _FIXED_OPERAND[spra]
        elif sprm == SPRM_T_DEF_TABLE and i + 2 <= len(grpprl):
            start, size = i + 2, _u16(grpprl, i) - 1
        elif sprm == SPRM_P_CHG_TABS and i < len(grpprl) and grpprl[i] == 255:
            deleted = grpprl[i + 1] if i + 1 < len(grpprl) else 0
            added_at = i + 2 + 4 * deleted
            added = grpprl[added_at] if added_at < len(grpprl) else 0
            start, size = i + 1, 1 + 4 * deleted + 1 + 3 * added
        elif i < len(grpprl):
            start, size = i + 1, grpprl[i]
        else:
            break
        if size < 0 or start + size > len(grpprl):
            break
        found.append((sprm, grpprl[start:start + size]))
        i = start + size
    return found


class WordBinary:
    """The parts of one Word 97–2003 file a report needs."""

    def __init__(self, data: bytes) -> None:
        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except OSError as exc:
            raise ValueError(f"not a readable OLE compound file ({exc})") from exc
        with ole:
            if not ole.exists("WordDocument"):
                raise Unsupported("the OLE file has no WordDocument stream: not a Word document")
            self.word = ole.openstream("WordDocument").read()
            self._read_fib()
            table_name = "1Table" if self.which_table else "0Table"
            if not ole.exists(table_name):
                raise ValueError(f"the {table_name} stream the FIB names is missing")
            self.table = ole.openstream(table_name).read()
            self.data = ole.openstream("Data").read() if ole.exists("Data") else b""

    def _read_fib(self) -> None:
        word = self.word
        if len(word) >= 4 and _u16(word, 0) == WORD6_IDENT:
            raise Unsupported("a Word 6/95 file; only Word 97-2003 is read without LibreOffice")
        if len(word) < 0x200 or _u16(word, 0) != WORD_IDENT:
            raise ValueError("the WordDocument stream does not start with a Word FIB")
        nfib = _u16(word, 2)
        if nfib < WORD97_NFIB:
            raise Unsupported(f"a Word 6/95 file (nFib {nfib:#x}); only Word 97-2003 is read without LibreOffice")
        flags = _u16(word, 0x0A)
        if flags & 0x0100:
            raise Unsupported("the document is password-protected (encrypted)")
        self.which_table = bool(flags & 0x0200)
        csw = _u16(word, 32)
        lw_at = 34 + 2 * csw
        cslw = _u16(word, lw_at)
        self.ccp_text = _u32(word, lw_at + 2 + 3 * 4)
        blob_at = lw_at + 2 + 4 * cslw
        count = _u16(word, blob_at)
        self._fc_lcb = [struct.unpack_from("<II", word, blob_at + 2 + 8 * k) for k in range(count)
                        if blob_at + 2 + 8 * (k + 1) <= len(word)]
        if len(self._fc_lcb) <= _FC_CLX:
            raise ValueError("the FIB is too short to locate the piece table")

    def _part(self, index: int) -> bytes:
        fc, lcb = self._fc_lcb[index]
        if fc + lcb > len(self.table):
            raise ValueError("the FIB points beyond the table stream (truncated file?)")
        return self.table[fc:fc + lcb]

    def pieces(self) -> tuple[list[int], list[tuple[int, bool, int]], list[bytes]]:
        """Piece boundaries (CPs), per piece (byte offset, compressed, prm), and the Prc property lists."""
        clx = self._part(_FC_CLX)
        grpprls: list[bytes] = []
        i = 0
        while i < len(clx) and clx[i] == 1:
            size = _u16(clx, i + 1)
            grpprls.append(clx[i + 3:i + 3 + size])
            i += 3 + size
        if i + 5 > len(clx) or clx[i] != 2:
            raise ValueError("the piece table (Clx) is damaged")
        size = _u32(clx, i + 1)
        plc = clx[i + 5:i + 5 + size]
        n = (len(plc) - 4) // 12
        if n < 1:
            raise ValueError("the piece table is empty")
        cps = [_u32(plc, 4 * k) for k in range(n + 1)]
        descriptors = []
        for k in range(n):
            at = 4 * (n + 1) + 8 * k
            fc, prm = _u32(plc, at + 2), _u16(plc, at + 6)
            compressed = bool(fc & 0x40000000)
            fc &= 0x3FFFFFFF
            descriptors.append((fc // 2 if compressed else fc, compressed, prm))
        return cps, descriptors, grpprls

    def paragraph_runs(self) -> tuple[list[int], list[tuple[int, int, bytes]]]:
        """Paragraph property runs: their start byte offsets (sorted) and (end, istd, grpprl) each."""
        runs: list[tuple[int, int, int, bytes]] = []
        for fkp in self._property_pages(_FC_PLCF_BTE_PAPX):
            crun = fkp[511]
            for r in range(crun):
                start, end = _u32(fkp, 4 * r), _u32(fkp, 4 * (r + 1))
                offset = 2 * fkp[4 * (crun + 1) + 13 * r]
                istd, grpprl = 0, b""
                if offset:
                    cb = fkp[offset]
                    body = fkp[offset + 2:offset + 2 + 2 * fkp[offset + 1]] if cb == 0 else fkp[offset + 1:offset + 2 * cb]
                    if len(body) >= 2:
                        istd, grpprl = _u16(body, 0), self._outside_page(body[2:])
                runs.append((start, end, istd, grpprl))
        runs.sort(key=lambda run: run[0])
        return [run[0] for run in runs], [(run[1], run[2], run[3]) for run in runs]

    def _property_pages(self, index: int) -> list[bytes]:
        """The 512-byte property pages (FKPs) a PlcBte of the table stream points to."""
        plc = self._part(index)
        n = (len(plc) - 4) // 8
        pages = []
        for k in range(n):
            page = _u32(plc, 4 * (n + 1) + 4 * k) & 0x3FFFFF
            fkp = self.word[page * _FKP_SIZE:(page + 1) * _FKP_SIZE]
            if len(fkp) < _FKP_SIZE:
                raise ValueError("a property page lies beyond the document (truncated file?)")
            pages.append(fkp)
        return pages

    def deleted_ranges(self) -> list[tuple[int, int]]:
        """Byte ranges of text deleted under change tracking (still stored, never printed)."""
        ranges = []
        for fkp in self._property_pages(_FC_PLCF_BTE_CHPX):
            crun = fkp[511]
            for r in range(crun):
                offset = 2 * fkp[4 * (crun + 1) + r]
                if offset and any(s == SPRM_C_DELETED and v[:1] == b"\x01"
                                  for s, v in sprms(fkp[offset + 1:offset + 1 + fkp[offset]])):
                    ranges.append((_u32(fkp, 4 * r), _u32(fkp, 4 * (r + 1))))
        return ranges

    def _outside_page(self, grpprl: bytes) -> bytes:
        """A paragraph's properties, read from the Data stream when its page only points there."""
        if len(grpprl) == 6 and _u16(grpprl, 0) == SPRM_P_HUGE_PAPX:
            at = _u32(grpprl, 2)
            if at + 2 > len(self.data):
                raise ValueError("paragraph properties point beyond the Data stream (truncated file?)")
            return self.data[at + 2:at + 2 + _u16(self.data, at)]
        return grpprl

    def heading_styles(self) -> set[int]:
        """The istds of heading styles: built-in heading 1-9 / Title, a heading name, or an outline level."""
        if len(self._fc_lcb) <= _FC_STSHF or not self._fc_lcb[_FC_STSHF][1]:
            return set()
        stsh = self._part(_FC_STSHF)
        header = _u16(stsh, 0)
        count, base_size = _u16(stsh, 2), _u16(stsh, 4)
        headings: set[int] = set()
        at = 2 + header
        for istd in range(count):
            if at + 2 > len(stsh):
                break
            size = _u16(stsh, at)
            std = stsh[at + 2:at + 2 + size]
            at += 2 + size
            if size < base_size + 2 or len(std) < size:
                continue
            sti = _u16(std, 0) & 0x0FFF
            name_length = _u16(std, base_size)
            name = std[base_size + 2:base_size + 2 + 2 * name_length].decode("utf-16-le", "replace")
            upx_at = base_size + 2 + 2 * name_length + 2
            upx_at += upx_at % 2
            outline = False
            if (_u16(std, 2) & 0x000F) == 1 and upx_at + 2 <= len(std):  # a paragraph style: its UpxPapx first
                upx = std[upx_at + 2:upx_at + 2 + _u16(std, upx_at)]
                outline = any(s == SPRM_P_OUTLINE_LEVEL and v and v[0] < _BODY_TEXT_LEVEL for s, v in sprms(upx[2:]))
            if sti in _HEADING_STIS or _HEADING_NAME.match(name.strip()) or outline:
                headings.add(istd)
        return headings


def _text(word: bytes, cps: list[int], descriptors: list[tuple[int, bool, int]], length: int) -> str:
    parts = []
    for k, (offset, compressed, _prm) in enumerate(descriptors):
        start, end = cps[k], min(cps[k + 1], length)
        if start >= end:
            continue
        if compressed:
            raw = word[offset:offset + end - start]
            parts.append(raw.decode("cp1252", "replace") if b"\x81" not in raw else raw.decode("latin-1"))
        else:
            parts.append(word[offset:offset + 2 * (end - start)].decode("utf-16-le", "replace"))
    text = "".join(parts)
    if len(text) < length:
        raise ValueError("the piece table covers less text than the FIB announces (truncated file?)")
    return text


def _shown(text: str) -> list[bool]:
    """Per character: printed (field results and ordinary text) or hidden (field codes, field marks)."""
    shown = [True] * len(text)
    stack: list[bool] = []  # per open field: still in its code part
    for i, ch in enumerate(text):
        if ch == FIELD_BEGIN:
            stack.append(True)
            shown[i] = False
        elif ch == FIELD_SEPARATOR and stack:
            stack[-1] = False
            shown[i] = False
        elif ch == FIELD_END and stack:
            stack.pop()
            shown[i] = False
        elif stack and stack[-1] and ch not in (PARAGRAPH_END, CELL_END):
            shown[i] = False
    return shown


def _hide_deleted(text: str, shown: list[bool], cps: list[int], descriptors: list[tuple[int, bool, int]],
                  deleted: list[tuple[int, int]]) -> None:
    """Hide the characters whose bytes lie in a deleted range (paragraph marks stay: they shape the tables)."""
    for k, (offset, compressed, _prm) in enumerate(descriptors):
        width = 1 if compressed else 2
        end = offset + (cps[k + 1] - cps[k]) * width
        for low, high in deleted:
            low, high = max(low, offset), min(high, end)
            for cp in range(cps[k] + (low - offset) // width, min(cps[k] + -(-(high - offset) // width), len(text))):
                if text[cp] not in (PARAGRAPH_END, CELL_END, SECTION_END):
                    shown[cp] = False


def _row_props(properties: list[tuple[int, bytes]]) -> RowProps | None:
    row: RowProps | None = None
    for sprm, operand in properties:
        if sprm == SPRM_T_DEF_TABLE and operand:
            cells = operand[0]
            if len(operand) < 1 + 2 * (cells + 1):
                continue
            edges = list(struct.unpack_from(f"<{cells + 1}h", operand, 1))
            tc_at = 1 + 2 * (cells + 1)
            flags = [_u16(operand, tc_at + 20 * c) if tc_at + 20 * c + 2 <= len(operand) else 0 for c in range(cells)]
            row = RowProps(edges, [(3 if f & 0x40 else 1) if f & 0x20 else 0 for f in flags], [bool(f & 0x02) for f in flags])
        elif sprm == SPRM_T_VERT_MERGE and row is not None and len(operand) >= 2 and operand[0] < len(row.vertical):
            row.vertical[operand[0]] = operand[1]
        elif sprm == SPRM_T_MERGE and row is not None and len(operand) >= 2:
            for c in range(operand[0] + 1, min(operand[1] + 1, len(row.merged))):
                row.merged[c] = True
    return row


def read_paragraphs(data: bytes) -> list[Paragraph]:
    """The main text of a Word 97–2003 file as paragraphs with their table roles; ValueError when damaged."""
    try:
        return _paragraphs(WordBinary(data))
    except (IndexError, struct.error, OSError) as exc:  # olefile and struct read beyond a damaged structure
        raise ValueError(f"the Word file is damaged ({type(exc).__name__}: {exc})") from exc


def _paragraphs(binary: WordBinary) -> list[Paragraph]:
    cps, descriptors, grpprls = binary.pieces()
    text = _text(binary.word, cps, descriptors, binary.ccp_text)[:binary.ccp_text]
    shown = _shown(text)
    _hide_deleted(text, shown, cps, descriptors, binary.deleted_ranges())
    run_starts, runs = binary.paragraph_runs()
    headings = binary.heading_styles()
    paragraphs = []
    start = 0
    for cp, ch in enumerate(text):
        if ch not in (PARAGRAPH_END, CELL_END, SECTION_END):
            continue
        piece = bisect_right(cps, cp) - 1
        offset, compressed, prm = descriptors[piece]
        fc = offset + (cp - cps[piece]) * (1 if compressed else 2)
        r = bisect_right(run_starts, fc) - 1
        istd, grpprl = (runs[r][1], runs[r][2]) if r >= 0 and fc < runs[r][0] else (0, b"")
        properties = sprms(grpprl)
        if prm & 1 and (prm >> 1) < len(grpprls):
            properties += sprms(grpprls[prm >> 1])
        values = {sprm: operand for sprm, operand in properties}
        in_table = bool(values.get(SPRM_P_IN_TABLE, b"\x00")[:1] != b"\x00")
        depth = _u32(values[SPRM_P_ITAP], 0) if len(values.get(SPRM_P_ITAP, b"")) == 4 else int(in_table)
        row_end = depth == 1 and values.get(SPRM_P_TTP, b"\x00")[:1] != b"\x00"
        outline = values.get(SPRM_P_OUTLINE_LEVEL, bytes([_BODY_TEXT_LEVEL]))[:1]
        body = "".join(c for c, keep in zip(text[start:cp], shown[start:cp]) if keep).translate(_DROPPED)
        paragraphs.append(Paragraph(
            text=body, end=ch, depth=depth, row_end=row_end, cell_end=depth == 1 and ch == CELL_END and not row_end,
            heading=istd in headings or (bool(outline) and outline[0] < _BODY_TEXT_LEVEL),
            row=_row_props(properties) if row_end else None,
        ))
        start = cp + 1
    return paragraphs
