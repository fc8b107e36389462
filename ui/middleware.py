"""ASGI middleware around the Gradio app."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class NoDeepLinks:
    """Refuse Gradio deep links: a crafted link must not be able to restore a chat the app did not produce."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"deep_link" in scope.get("query_string", b""):
            await PlainTextResponse("Deep links are turned off.", status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)
