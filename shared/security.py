"""What guards every app's door: the security headers, the services' check of the gateway's token
before a body is read, and the Swagger page with a policy that runs no inline script but its own."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Collection

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from shared.auth.tokens import read_internal_token
from shared.errors import Unauthorized, problem_response

# The API answers JSON only: nothing on it may run scripts, be framed, or be cached by a shared cache
# (drafts are not public record).
API_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-resource-policy": b"same-origin",
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"strict-transport-security": b"max-age=31536000; includeSubDomains",
}
# Swagger UI's assets; the page itself carries a policy naming the hash of its one inline script.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; frame-ancestors 'none'"
)
DOCS_ASSETS = "/docs-assets"
PRINCIPAL_STATE = "principal"
# Probes and, in development, the service's own documents are open; everything else needs the token.
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
# A path ending in "/" opens everything under it.
DEVELOPMENT_DOCS_PATHS = frozenset({"/docs", "/openapi.json", f"{DOCS_ASSETS}/"})


class SecurityHeadersMiddleware:
    """Adds the security headers to every answer that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = dict(API_HEADERS)
        if path == "/docs" or path.startswith(DOCS_ASSETS):
            headers[b"content-security-policy"] = DOCS_CSP
        if path.startswith("/api/"):
            headers[b"cache-control"] = b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in headers.items() if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


class InternalCallerMiddleware:
    """A service answers only calls the gateway signed: checked from the headers, before any body is read.

    The caller it finds is kept in the request's state, so the routes do not verify the token twice.
    """

    def __init__(self, app: ASGIApp, secret: str, open_paths: Collection[str] = HEALTH_PATHS) -> None:
        self.app = app
        self.secret = secret
        self.open_paths = frozenset(p for p in open_paths if not p.endswith("/"))
        self.open_prefixes = tuple(p for p in open_paths if p.endswith("/"))

    def _is_open(self, path: str) -> bool:
        return path in self.open_paths or (bool(self.open_prefixes) and path.startswith(self.open_prefixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_open(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        try:
            token = _bearer(scope)
            if not token:
                raise Unauthorized("This service only answers calls made through the gateway")
            principal = read_internal_token(token, self.secret)
        except Unauthorized as refused:
            response = problem_response(refused.status, refused.code, refused.title, refused.detail)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
        await self.app(scope, receive, send)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def swagger_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI from the package's assets (no CDN), its inline start-up script allowed by hash only."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True, "displayOperationId": True},
    )
    html = bytes(page.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    policy = DOCS_CSP.decode().replace("script-src 'self'", f"script-src 'self' {hashes}")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def install_docs(app: FastAPI, title: str, openapi_url: str = "/openapi.json") -> None:
    """/docs, from the package's assets: many regions run without outbound internet."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return swagger_page(openapi_url, title)
