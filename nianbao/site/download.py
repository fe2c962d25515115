"""The archive file as a download (``/<name>.db``), every byte and its size read from one opened file.

Datasette's own download takes the file's size from its path, then opens the path: a publish in
between (a new file renamed over the old) sends the new file under the old one's Content-Length, a
download cut short or corrupt.  Here the file is opened once; its size and ETag come from that open
file and every byte sent is read from it, so a download is one whole snapshot whatever publish does
meanwhile (a replaced file lives on while it is open).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from datasette import Forbidden, hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound

from nianbao.site.caching import identity_etag
from nianbao.site.database import file_identity_of

CHUNK = 256 * 1024


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/.]+)\.db$", database_download)]


async def database_download(datasette, request) -> OpenFileDownload:
    """Datasette's download, with its permission checks, from one opened file."""
    name = tilde_decode(request.url_vars["database"])
    await datasette.ensure_permissions(
        request.actor, [("view-database-download", name), ("view-database", name), "view-instance"])
    try:
        db = datasette.get_database(route=name)
    except KeyError:
        raise NotFound("no such database") from None
    if db.is_memory or not db.path:
        raise NotFound("this database has no file to download")
    if not datasette.setting("allow_download") or db.is_mutable:
        raise Forbidden("Database download is forbidden")
    fd = os.open(db.path, os.O_RDONLY)
    identity = file_identity_of(os.fstat(fd))
    return OpenFileDownload(fd, identity[2], os.path.basename(db.path), identity_etag(identity))


class OpenFileDownload:
    """An ASGI response that sends ``size`` bytes of the open file ``fd`` and closes it."""

    def __init__(self, fd: int, size: int, filename: str, etag: bytes) -> None:
        self.fd, self.size, self.filename, self.etag = fd, size, filename, etag

    async def asgi_send(self, send: Any) -> None:
        loop = asyncio.get_running_loop()
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/octet-stream"),
                (b"content-length", str(self.size).encode()),
                (b"content-disposition", f'attachment; filename="{self.filename}"'.encode()),
                (b"etag", self.etag),
            ]})
            offset = 0
            while True:
                chunk = await loop.run_in_executor(None, os.pread, self.fd, min(CHUNK, self.size - offset), offset)
                offset += len(chunk)
                done = offset >= self.size or not chunk
                await send({"type": "http.response.body", "body": chunk, "more_body": not done})
                if done:
                    return
        finally:
            os.close(self.fd)
