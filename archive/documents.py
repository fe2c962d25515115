"""Raw documents, stored once by content (sha256), whatever happens later.

The bytes a portal served are the record of what was published: they are
kept even when no parser can read them, and a reparse works from them
alone.  Datasette offers each ``content`` blob as a download.
"""

from __future__ import annotations

import hashlib

import sqlite_utils

from nianbao.parsers.sniff import sniff_format


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_document(db: sqlite_utils.Database, data: bytes, seen_at: str, content_type: str | None = None) -> str:
    """Store ``data`` unless already stored; return its sha256."""
    sha = sha256_of(data)
    if not db.execute("select 1 from documents where sha256 = ?", [sha]).fetchone():
        db.table("documents").insert(
            {
                "sha256": sha,
                "size": len(data),
                "format": sniff_format(data),
                "content_type": content_type,
                "content": data,
                "first_seen": seen_at,
            }
        )
    return sha


def load_document(db: sqlite_utils.Database, sha: str) -> bytes:
    """The stored bytes of document ``sha``; KeyError if it was never stored."""
    row = db.execute("select content from documents where sha256 = ?", [sha]).fetchone()
    if row is None:
        raise KeyError(f"document {sha} is not in the archive")
    return bytes(row[0])
