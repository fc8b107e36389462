"""The MCP server: a real client from the `mcp` package against the served app, and the guards it shares with
the chat. With FINDER_MCP unset the MCP routes are not served at all."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from finder.engine import Finder
from tests.conftest import free_port
from ui import app as ui_app
from ui import mcp_tools

TOOLS = {"find_programs", "check_eligibility", "program_details", "upcoming_deadlines"}


@pytest.fixture(scope="module")
def finder(small_index):
    return Finder(small_index)


@pytest.fixture(scope="module")
def mcp_url(small_index, finder):
    settings = small_index.model_copy(update={"port": free_port(), "mcp": True})
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{settings.port}/gradio_api/mcp/"
    finally:
        demo.close()


def session(url: str, work: Any) -> Any:
    """Run `work(session)` in a fresh MCP client session over streamable HTTP."""

    async def main() -> Any:
        async with streamable_http_client(url) as (read, write, _), ClientSession(read, write) as s:
            await s.initialize()
            return await work(s)

    return asyncio.run(main())


def call(url: str, tool: str, **arguments: Any) -> dict[str, Any]:
    async def work(s: ClientSession) -> Any:
        return await s.call_tool(tool, arguments)

    result = session(url, work)
    assert not result.isError, result
    text = result.content[0].text
    assert "<" not in text.replace("<=", "")  # never HTML: Markdown and plain text only
    return json.loads(text)


def test_a_real_client_lists_the_four_tools_and_checks_eligibility(mcp_url):
    async def work(s: ClientSession) -> Any:
        return (await s.list_tools()).tools

    tools = {t.name: t for t in session(mcp_url, work)}
    assert set(tools) == TOOLS  # the chat's own `ask` endpoint is not a tool
    for t in tools.values():
        assert "read-only" in (t.description or "")
        props = t.inputSchema["properties"]
        assert props and all(p.get("description") for p in props.values()), t.name
    assert tools["check_eligibility"].inputSchema["required"] == ["program", "applicant"]
    assert tools["upcoming_deadlines"].inputSchema["properties"]["days"]["type"] == "integer"

    got = call(mcp_url, "check_eligibility", program="Safe Streets and Roads for All", applicant="county")
    assert got["verdict"] == "eligible" and got["program_id"] == "20.939"
    assert "Counties are eligible direct applicants" in got["why"]
    assert got["status"].startswith("Open: the notice closes 20 December 2026")


def test_the_other_tools_answer_from_the_index(mcp_url):
    found = call(mcp_url, "find_programs", question="drinking water loans for a small town", applicant="city",
                 state="TX", population=8000)
    assert not found["refused"] and found["answering_for"] == "a city, population 8,000, Texas"
    dwsrf = next(p for p in found["programs"] if p["id"] == "66.468")
    assert dwsrf["verdict"] == "through_state" and dwsrf["office"].startswith("In Texas:")
    details = call(mcp_url, "program_details", program="SS4A")
    assert details["program_id"] == "20.939" and "Who applies" in details["details"]
    soon = call(mcp_url, "upcoming_deadlines", days=30, applicant="county", state="OH")
    assert [d["close_date"] for d in soon["deadlines"]] == ["2026-12-20"]  # today is 2026-11-28


def test_the_chat_guards_hold_for_tools(mcp_url):
    long = call(mcp_url, "find_programs", question="bridges " * 60)
    assert "limit is 300" in long["error"]
    evil = call(mcp_url, "find_programs", question="<img src=x onerror=alert(1)> bridge repair for a county")
    assert "onerror" not in json.dumps(evil["programs"])
    unknown = call(mcp_url, "check_eligibility", program="<script>x</script> Fund", applicant="city")
    assert "No program in the index matches" in unknown["error"] and "<script>" not in unknown["error"]
    bad = call(mcp_url, "check_eligibility", program="SS4A", applicant="wizard")
    assert "Unknown applicant type" in bad["error"]
    shared = call(mcp_url, "program_details", program="20.205")  # an ALN shared by sub-programs: its own record
    assert shared["program_id"] == "20.205"


def test_tool_functions_share_the_engine(finder):
    got = json.loads(mcp_tools.check_eligibility_json(finder, "drinking water state revolving fund", "state"))
    assert got["verdict"] == "eligible"
    with pytest.raises(ValueError, match="days must be"):
        mcp_tools.upcoming_deadlines_json(finder, 0)


def test_without_finder_mcp_the_mcp_routes_are_not_served(small_index, finder, monkeypatch):
    monkeypatch.setenv("GRADIO_MCP_SERVER", "true")  # Gradio's own switch must not turn it on
    settings = small_index.model_copy(update={"port": free_port()})
    assert settings.mcp is False
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        base = f"http://127.0.0.1:{settings.port}"
        for path in ("/gradio_api/mcp/", "/gradio_api/mcp/sse", "/gradio_api/mcp/schema"):
            assert httpx.get(base + path, headers={"accept": "text/event-stream"}, timeout=10).status_code == 404
        assert httpx.post(base + "/gradio_api/mcp/", json={}, timeout=10).status_code in (404, 405)
        info = httpx.get(base + "/gradio_api/info", timeout=10).text
        assert "check_eligibility" not in info and "/ask" in info
    finally:
        demo.close()
