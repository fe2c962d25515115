"""ETag and Cache-Control on the pages of a published archive, so a reverse proxy can absorb load.

A published snapshot never changes (a publish is a new file), so every page is a function of the
snapshot, the code and the URL.  The ETag names the snapshot file the site reads now (the identity
``PublishedDatabase`` follows) and this server process (a restart after an upgrade changes it); a
request whose ``If-None-Match`` names it gets a 304 before any query runs.  ``Cache-Control`` lets a
proxy or browser reuse a page for a minute and then revalidate it cheaply, so a new publish is served
within a minute.  Responses that set a cookie and Datasette's ``/-/`` pages (but search) are left alone.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from datasette import hookimpl

from nianbao.archive.site import archive_database
from nianbao.site.database import FileIdentity, PublishedDatabase

CACHE_CONTROL = b"public, max-age=60"
_NOT_CACHED = re.compile(r"^/-/(?!search$)")
_PROCESS = secrets.token_hex(8)


def identity_etag(identity: FileIdentity) -> bytes:
    """The ETag of what this server process serves from the snapshot file ``identity`` names."""
    return b'"' + hashlib.sha256(f"{identity}:{_PROCESS}".encode()).hexdigest()[:32].encode() + b'"'


def snapshot_etag(datasette) -> bytes | None:
    """The ETag of every page while the site serves the snapshot it serves now (None: not a published file)."""
    db = archive_database(datasette)
    if not isinstance(db, PublishedDatabase):
        return None
    return identity_etag(db.follow())


def _cacheable(scope) -> bool:
    return scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and not _NOT_CACHED.match(scope["path"])


def _matches(scope, etag: bytes) -> bool:
    values = [value for name, value in scope.get("headers", []) if name.lower() == b"if-none-match"]
    tags = {tag.strip().removeprefix(b"W/") for value in values for tag in value.split(b",")}
    return etag in tags or b"*" in tags


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_validators(scope, receive, send):
            etag = snapshot_etag(datasette) if _cacheable(scope) else None
            if etag is None:
                return await app(scope, receive, send)
            validators = [(b"etag", etag), (b"cache-control", CACHE_CONTROL)]
            if _matches(scope, etag):
                await send({"type": "http.response.start", "status": 304, "headers": validators})
                await send({"type": "http.response.body", "body": b""})
                return

            async def send_with_validators(event):
                if event["type"] == "http.response.start" and event["status"] == 200:
                    headers = list(event.get("headers", []))
                    names = {name.lower() for name, _ in headers}
                    if b"set-cookie" not in names:
                        # a response that names the file it read (the download) keeps its own ETag
                        own = [(name, value) for name, value in headers if name.lower() == b"etag"]
                        kept = [(name, value) for name, value in headers if name.lower() not in (b"etag", b"cache-control")]
                        event = {**event, "headers": kept + (own[:1] or validators[:1]) + validators[1:]}
                await send(event)

            await app(scope, receive, send_with_validators)

        return with_validators

    return wrap
