"""What the Content-Security-Policy forbids, found in a page's HTML: inline scripts (a <script> without src, other
than JSON data), event-handler attributes (onclick=…) and javascript: links."""

from __future__ import annotations

from html.parser import HTMLParser

DATA_TYPES = {"application/json", "application/ld+json"}


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src") and (a.get("type") or "").lower() not in DATA_TYPES:
            self.problems.append(f"inline <script{' id=' + a['id'] if a.get('id') else ''}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")


def inline_script_problems(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems


def csp_problems(response) -> list[str]:
    """The header is there and strict; an HTML page has nothing the policy would block."""
    problems = []
    policy = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    if directives.get("script-src") != ["'self'"]:
        problems.append(f"Content-Security-Policy script-src: {directives.get('script-src')!r}")
    if response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
        problems += inline_script_problems(response.content.decode("utf-8", "replace"))
    return problems
