"""Headers and robots.txt for a public, read-only site.

The pages need only the site itself: Datasette's own pages use inline
scripts and styles, the site's charts are inline SVG, nothing is loaded
from elsewhere.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"strict-origin-when-cross-origin",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
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
    def wrap(app):
        async def with_headers(scope, receive, send):
            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    present = {name.lower() for name, _ in event.get("headers", [])}
                    extra = [(name, value) for name, value in HEADERS.items() if name not in present]
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
