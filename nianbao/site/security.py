"""Headers and robots.txt for a public, read-only site.

The pages need only the site itself: nothing is loaded from elsewhere.  Scripts run only from the
site's files (the site's own script is ``static/fold-column-descriptions.js``) plus the few inline
scripts of Datasette's own templates, each allowed by the SHA-256 of its text, computed from the
installed Datasette's templates when the first request comes; an injected ``<script>`` or ``on…=``
attribute does not run.  Styles still allow inline CSS: Datasette's table pages print a ``<style>``
naming each shown column and ``style=`` attributes, which no fixed hash can cover.
"""

from __future__ import annotations

import base64
import hashlib
import re

from datasette import hookimpl
from datasette.utils.asgi import Response

CSP = [
    "default-src 'self'",
    "script-src 'self' {script_hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"strict-origin-when-cross-origin",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
# Datasette's templates that print inline scripts: fixed text, or text that depends on a setting only.
TEMPLATES_WITH_SCRIPTS = ("_close_open_menus.html", "_codemirror_foot.html", "table.html")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


async def inline_script_hashes(datasette) -> list[str]:
    """CSP sources for the inline scripts of Datasette's own templates, as they render with this site's settings."""
    env = datasette.jinja_env
    context = {"datasette_allow_facet": "true" if datasette.setting("allow_facet") else "false"}
    hashes = []
    for name in TEMPLATES_WITH_SCRIPTS:
        source = env.loader.get_source(env, f"default:{name}")[0]
        for body in _INLINE_SCRIPT.findall(source):  # rendered inside its tags: Jinja drops a template's last newline
            rendered = await env.from_string(f"<script>{body}</script>").render_async(context)
            text = rendered.removeprefix("<script>").removesuffix("</script>")
            hashes.append(f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'")
    return sorted(set(hashes))


# Crawlers may read the reports; they stay off search results, exports, the raw SQL and the database file.
ROBOTS = """User-agent: *
Allow: /$
Allow: /report/
Disallow: /-/
Disallow: /raw/
Disallow: /charts
Disallow: /*.db
Disallow: /*.json
Disallow: /*.csv
Disallow: /*?
Crawl-delay: 10
"""


@hookimpl
def asgi_wrapper(datasette):
    headers: dict[bytes, bytes] = {}

    def wrap(app):
        async def with_headers(scope, receive, send):
            if not headers:
                policy = "; ".join(CSP).format(script_hashes=" ".join(await inline_script_hashes(datasette)))
                headers.update({b"content-security-policy": policy.encode(), **HEADERS})

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    present = {name.lower() for name, _ in event.get("headers", [])}
                    extra = [(name, value) for name, value in headers.items() if name not in present]
                    event = {**event, "headers": [*event.get("headers", []), *extra]}
                await send(event)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


async def robots_txt():
    return Response.text(ROBOTS)


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots_txt)]
