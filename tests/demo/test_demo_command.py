"""``slo-harness demo --quick`` as a new user runs it: it finishes, names its report, leaves no process;
the index links only files that exist and every PNG decodes; headless Chromium renders it without a
console error; and Ctrl-C in the middle leaves no process and no partial folder."""

from __future__ import annotations

import base64
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from tests.conftest import require_binary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "results" / "ci" / "demo-index.png"


@dataclass(frozen=True)
class DemoRun:
    out: Path
    result: subprocess.CompletedProcess[str]


def _demo(out: Path) -> list[str]:
    return [sys.executable, "-m", "slo_harness", "demo", "--quick", "--out", str(out)]


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes other than this one that name ``text`` (the demo's children
    all name its folder)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        if int(cmdline.parent.name) == os.getpid():
            continue
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        line = " ".join(a.decode(errors="replace") for a in argv)
        if text in line:
            found.append(line)
    return found


def _no_process_left(text: str, seconds: float = 15.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := _processes_mentioning(text)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    out = tmp_path_factory.mktemp("demo") / "results-demo"
    result = subprocess.run(_demo(out), cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    yield DemoRun(out, result)


def test_demo_finishes_names_its_report_and_leaves_no_process(demo_run: DemoRun) -> None:
    result = demo_run.result
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"report: {demo_run.out / 'index.html'}"
    assert _no_process_left(str(demo_run.out.parent)) == []
    assert not list(demo_run.out.parent.glob(".*partial*"))
    assert (demo_run.out / "probes" / "summary.json").exists()
    assert list((demo_run.out / "load").glob("*/summary.json"))
    assert len(list((demo_run.out / "sim").glob("*/report.html"))) == 4


def _png_ok(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()
        return image.size


def test_index_links_existing_files_and_every_png_decodes(demo_run: DemoRun) -> None:
    index = demo_run.out / "index.html"
    html = index.read_text(encoding="utf-8")
    for anchor in ('id="probes"', 'id="load"', 'id="simulations"'):
        assert anchor in html
    references = re.findall(r'(?:href|src)="([^"#]+)"', html)
    inline = [r for r in references if r.startswith("data:")]
    files = [r for r in references if not r.startswith("data:")]
    assert not [r for r in files if "://" in r or r.startswith("/")], "only relative links"
    assert len(inline) >= 4 and len(files) >= 8
    for ref in files:
        assert (index.parent / ref).is_file(), ref
    for ref in inline:
        assert ref.startswith("data:image/png;base64,")
        width, height = _png_ok(base64.b64decode(ref.split(",", 1)[1]))
        assert width > 100 and height > 100
    for ref in files:
        if ref.endswith(".png"):
            _png_ok((index.parent / ref).read_bytes())


def test_headless_chromium_renders_the_index_without_console_errors(demo_run: DemoRun) -> None:
    chromium = require_binary("chromium")
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto((demo_run.out / "index.html").as_uri(), wait_until="load")
            headings = page.locator("h2").all_inner_texts()
            images = page.evaluate(
                "() => Array.from(document.images).map(i => (i.scrollIntoView(), [i.alt, i.complete]))"
            )
            page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=30000)
            broken = page.evaluate(
                "() => Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.alt)"
            )
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert headings == ["Live probes during the incident", "Load test", "Simulations"]
    assert len(images) >= 10 and broken == []
    assert _png_ok(SCREENSHOT.read_bytes())[1] > 2000


def test_ctrl_c_in_the_middle_leaves_no_process_and_no_partial_folder(tmp_path: Path) -> None:
    out = tmp_path / "interrupted"
    process = subprocess.Popen(
        _demo(out),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        # Mid-run: the testbed and exporter are up, the load and the simulator have started.
        while not list(tmp_path.glob(".interrupted.partial-*/logs/sim.log")) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        time.sleep(3)
        assert _processes_mentioning(str(tmp_path)), "the children should be running"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == f"error: interrupted: {out} was left as it was"
    assert _no_process_left(str(tmp_path)) == []
    assert list(tmp_path.iterdir()) == []
