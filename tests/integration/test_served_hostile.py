"""The served app against hostile requests, as an attacker on the network would send them (curl, a raw queue
client, forged inputs, rotating X-Forwarded-For): each one refused or bounded, and the app keeps answering."""

import logging
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from pydantic import SecretStr

from benchmarks import gradio_raw as raw
from finder.engine import Finder
from tests.conftest import ROOT, free_port
from ui import app as ui_app


@pytest.fixture(scope="module")
def served(small_index, tmp_path_factory):
    settings = small_index.model_copy(update={
        "port": free_port(), "admin_password": SecretStr("s3cret-pass"), "max_upload_mb": 1, "header_timeout": 1.0,
        "queue_per_client": 3, "cache_dir": tmp_path_factory.mktemp("cache"), "trusted_proxies": [],
        "database_url": f"sqlite:///{tmp_path_factory.mktemp('store')}/store.db"})
    demo = ui_app.build_app(settings, Finder(settings))
    ui_app.launch(demo, settings, prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}/", demo, settings
    demo.close(verbose=False)


def answers(base):
    from gradio_client import Client

    return Client(base, verbose=False).predict("Tell me about SS4A", "city", "", "", api_name="/ask")


def test_every_event_but_ask_is_refused_on_the_call_routes(served):
    base, demo, _ = served
    names = sorted({fn.api_name for fn in demo.fns.values() if fn.api_name and fn.api_name != "ask"})
    assert {"on_login", "on_run", "on_fb_export"} <= set(names) and any(n.startswith("on_export") for n in names)
    for name in names:
        for route in ("call", "call/v2", "run", "api"):
            r = httpx.post(f"{base}gradio_api/{route}/{name}", json={"data": ["s3cret-pass"]}, timeout=10)
            assert r.status_code != 200, (route, name)
    assert "Safe Streets" in str(answers(base))


@pytest.mark.parametrize("query", ["?deep_link=abc", "?deep%5Flink=abc", "?deep%255Flink=abc", "?x=1&deep%5flink=a",
                                   "?Deep_Link=abc", "gradio_api/deep_link?session_hash=abc",
                                   "config?deep%5Flink=abc"])
def test_deep_links_are_refused_in_every_encoding(served, query):
    base, *_ = served
    assert httpx.get(base + query, timeout=10).status_code == 400


def test_rotating_x_forwarded_for_gets_no_extra_guesses(served, caplog):
    base, demo, _ = served
    login = raw.fn_index(demo, "on_login")
    read, started = 0, time.monotonic()
    with caplog.at_level(logging.INFO, logger="ui.login"):
        for i in range(25):
            out = raw.call(base, login, ["wrong"], headers={"X-Forwarded-For": f"10.1.{i}.{i}"})
            read += "Wrong password." in str(out)
    # FINDER_ADMIN_MAX_ATTEMPTS, then one more per doubling wait (1 s, 2 s, ...) as for any one client
    assert read <= 10 + math.log2(time.monotonic() - started + 1) + 1
    assert {r.getMessage().split(" (")[0] for r in caplog.records if "wrong admin" in r.getMessage()} == \
        {"wrong admin password from 127.0.0.1"}  # the header named no one: the peer is the client
    # the right password from yet another address, right after a wrong one that counted (so a wait of at least
    # 2 s has just begun: the loop's last wait could otherwise run out between two calls on a slow machine)
    for _ in range(6):
        out = str(raw.call(base, login, ["wrong"], headers={"X-Forwarded-For": "10.8.8.8"}))
        if "Wrong password." in out:
            break
        time.sleep(int(re.search(r"Try again in (\d+) s", out)[1]))
    assert "Wrong password." in out
    out = raw.call(base, login, ["s3cret-pass"], headers={"X-Forwarded-For": "10.9.9.9"})
    assert "Try again in" in str(out)


def test_behind_a_trusted_proxy_many_addresses_still_share_the_account_wait(small_index, tmp_path):
    from ui.login import LoginGuard

    now = [0.0]
    settings = small_index.model_copy(update={"admin_password": SecretStr("s3cret-pass"),
                                              "database_url": f"sqlite:///{tmp_path}/store.db"})
    guard = LoginGuard(settings, clock=lambda: now[0])
    read = sum(guard.login("wrong", f"10.2.0.{i}", "ua")[1] == "Wrong password." for i in range(200))
    assert read == 10  # two hundred addresses at once: ten guesses, then everyone waits
    now[0] += 2
    assert guard.login("s3cret-pass", "10.3.0.1", "ua")[0] is not None  # the admin waits seconds, not minutes


def test_a_three_file_upload_over_the_cap_gets_413_and_no_upload_is_downloadable(served):
    base, *_ = served
    files = [("files", (f"f{i}.zip", b"0" * 400_000)) for i in range(3)]  # 1.2 MB in all, each under 1 MB
    assert httpx.post(f"{base}gradio_api/upload", files=files, timeout=30).status_code == 413
    ok = httpx.post(f"{base}gradio_api/upload", files=[("files", ("shortlist-x.csv", b"a,b"))], timeout=30)
    assert ok.status_code == 200
    path = ok.json()[0]
    assert httpx.get(f"{base}gradio_api/file={path}", timeout=10).status_code == 404


def test_oversized_bodies_are_413_before_they_are_read(served):
    base, demo, _ = served
    export = raw.fn_index(demo, "on_export")
    million = raw.join(base, export, [None, ["20.939"] * 1_000_000], secrets.token_hex(6))
    assert million.status_code == 413
    long_question = raw.join(base, raw.fn_index(demo, "on_ask"), ["x" * 1_000_000, None, "", "", ""],
                             secrets.token_hex(6))
    assert long_question.status_code == 413
    chunked = httpx.post(f"{base}gradio_api/queue/join", content=iter([b"{}"]), timeout=10)
    assert chunked.status_code == 411


def test_private_events_check_the_session_on_the_server(served):
    base, demo, _ = served
    out = raw.call(base, raw.fn_index(demo, "on_export"), [None, ["20.939"] * 40])
    assert "Ask a question" in str(out)  # a made-up session cannot write files
    out = raw.call(base, raw.fn_index(demo, "on_run"), [None, None])
    assert "error" in str(out)  # no login token in this session's server-side state
    out = raw.call(base, raw.fn_index(demo, "on_fb_export"), [None])
    assert "error" in str(out)


def test_one_client_gets_only_its_share_of_the_queue(served, monkeypatch):
    base, demo, settings = served
    ask = raw.fn_index(demo, "on_ask")
    monkeypatch.setattr(demo.fns[ask], "fn", _slowed(demo.fns[ask].fn, 3.0))  # nothing ends mid-burst
    sessions = [secrets.token_hex(6) for _ in range(12)]
    codes = [raw.join(base, ask, ["Tell me about SS4A", None, "", "", ""], s).status_code for s in sessions]
    assert codes.count(429) >= 12 - settings.queue_per_client - settings.concurrency and codes.count(200) >= 3
    for s, code in zip(sessions, codes, strict=True):
        if code == 200:
            raw.results(base, s)  # answered: the client's share is free again
    assert raw.join(base, ask, ["Tell me about SS4A", None, "", "", ""], sessions[0]).status_code == 200
    raw.results(base, sessions[0])


def _slowed(fn, seconds):
    def wrapper(*args, **kwargs):
        time.sleep(seconds)
        return fn(*args, **kwargs)

    return wrapper


def test_a_connection_that_never_finishes_its_headers_is_closed(served):
    base, _, settings = served
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", settings.port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    time.sleep(settings.header_timeout + 1.5)
    closed = 0
    for s in socks:
        try:
            closed += s.recv(100) == b""
        except OSError:
            closed += 1
        s.close()
    assert closed == 20
    assert "Safe Streets" in str(answers(base))


def test_sigterm_removes_the_cache_and_exports_and_a_start_sweeps_what_a_dead_server_left(small_index, tmp_path):
    cache = tmp_path / "cache"
    gone = subprocess.Popen(["true"])  # its pid is surely gone once it has been waited for
    gone.wait()
    left = cache / f"{gone.pid}-left"
    (left / "gradio" / "exports").mkdir(parents=True)
    (left / "gradio" / "exports" / "shortlist-x.csv").write_text("x")
    port = free_port()
    env = {**os.environ, "FINDER_INDEX_DIR": str(small_index.index_dir), "FINDER_DATA_DIR": str(small_index.data_dir),
           "FINDER_NOTICES_DIR": str(small_index.notices_dir), "FINDER_PORT": str(port), "FINDER_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "ui", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(240):
            try:
                if httpx.get(base, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert not left.exists()  # swept at start
        mine = next(cache.glob(f"{proc.pid}-*"))
        up = httpx.post(f"{base}gradio_api/upload", files=[("files", ("notices.json", b"{}"))], timeout=30)
        assert up.status_code == 200 and (mine / "gradio").is_dir()
        assert any(p.is_file() for p in (mine / "gradio").rglob("*"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not mine.exists()  # the uploads, the cache and the exports went with the server
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
