"""Challenge and block pages: an answer that is an anti-bot wall, not the portal's content.

A blocked answer is never read as an empty list (which would look like every report vanished)
and never as a report.  The signatures come from real challenge pages and write-ups kept in
/work/shared/portals/antibot (see docs/operators.md, "When a portal blocks the crawler"); nianbao
recognises them and records the portal as ``blocked`` with the reason, it does not solve them.
"""

from __future__ import annotations

import re

# (reason, statuses it comes with (empty: any), a body marker) — first match wins.
SIGNATURES: list[tuple[str, frozenset[int], re.Pattern[bytes]]] = [
    ("瑞数 (RiverSecurity) challenge: $_ts script", frozenset({412, 202, 200}),
     re.compile(rb"\$_ts\s*=\s*window\[|\$_ts\.(?:nsd|cd)\b")),
    ("加速乐 (Jiasule) challenge: __jsl_clearance cookie script", frozenset(),
     re.compile(rb"__jsl_clearance|\('_'\)\+\('_'\)\+\('j'\)\+\('s'\)\+\('l'\)")),
    ("创宇盾 block page: 访问被拦截", frozenset(),
     re.compile("访问被拦截|当前访问疑似黑客攻击|notice-jiasule|请登录知道创宇云安全".encode())),
    ("网防G01 (WZWS) challenge", frozenset(),
     re.compile(rb"WZWS_CONFIRM_PREFIX_LABEL|wzwschallenge|/WZWSRE|" + "网防G01".encode())),
]
WAF_STATUSES = {403, 405, 412, 521}
STUB_MAX_BYTES = 600  # a real list or article page is never this small


def block_reason(status: int, body: bytes, content_type: str = "") -> str | None:
    """Why this answer is a block/challenge page, or None when it looks like the portal's own."""
    for reason, statuses, marker in SIGNATURES:
        if (not statuses or status in statuses) and marker.search(body):
            return f"{reason} (HTTP {status})"
    if status in WAF_STATUSES:
        return f"HTTP {status}: access refused (WAF or challenge page, {len(body)} bytes)"
    if status == 200 and is_stub(body, content_type):
        return f"tiny page of {len(body)} bytes with a script and no links (challenge stub)"
    return None


def is_stub(body: bytes, content_type: str) -> bool:
    """A tiny HTML answer that only runs a script: what cookie/redirect challenges send first."""
    if "html" not in content_type.lower() or len(body) > STUB_MAX_BYTES:
        return False
    lowered = body.lower()
    return b"<script" in lowered and b"<a " not in lowered
