"""The wheel runs on its own: built, installed into a fresh venv, used from an empty folder.

Run by ``make wheel-check`` (and so by .ci/run) with the project's venv, after
``make assets``:

1. ``python -m build`` (sdist, then the wheel from the sdist) into a temporary folder;
   the wheel must hold the graph files, the saved queries and the vendor assets, and
   no top-level package but ``partnergraph``.
2. A new venv installs the wheel, its dependencies pinned by requirements.lock.
3. From an empty folder, with HOME in the temporary folder and no PARTNERGRAPH_*
   variable: ``partnergraph load`` builds the store under the user data directory
   (platformdirs), ``partnergraph serve`` answers, every script and style that /query,
   /explore and /docs reference answers 200, and headless Chromium draws /query and
   /explore with no console error and no request leaving 127.0.0.1.
4. ``serve`` with the assets missing exits 2 and says how to install them.

Exits non-zero with the reason on the first failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAGES = ("query", "explore", "docs")


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # type: ignore[call-overload]


def check_wheel(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"partnergraph"}, f"top-level entries besides partnergraph: {tops}"
    for needed in (
        "partnergraph/graph/ontology.ttl",
        "partnergraph/graph/shapes.ttl",
        "partnergraph/graph/queries/agreements.rq",
        "partnergraph/vendor/vis-network/dist/vis-network.min.js",
        "partnergraph/vendor/codemirror/lib/codemirror.js",
        "partnergraph/web/templates/query.html",
    ):
        assert needed in names, f"{needed} is not in {wheel.name}"
    for folder in ("data", "reference"):
        assert any(n.startswith(f"partnergraph/graph/{folder}/") for n in names), folder
    print(f"{wheel.name}: {len(names)} files, {wheel.stat().st_size / 1e6:.1f} MB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"partnergraph serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("partnergraph serve did not answer /healthz within the deadline")


def page_when_built(url: str, deadline: float = 600) -> str:
    """The page once it is served: /explore answers 503 with Retry-After until its first view is
    built in the background after start."""
    stop = time.monotonic() + deadline
    while True:
        answer = httpx.get(url, timeout=30)
        if answer.status_code != 503 or time.monotonic() > stop:
            answer.raise_for_status()
            return answer.text
        time.sleep(min(5.0, float(answer.headers.get("Retry-After", "1"))))


def check_references(base: str) -> None:
    """Every script and stylesheet the pages reference answers 200."""
    for page in PAGES:
        html = page_when_built(base + page)
        refs = re.findall(r'<script[^>]+src="([^"]+)"', html)
        refs += re.findall(r'<link[^>]+href="([^"]+\.css)"', html)
        refs += re.findall(r'"(/vendor/[^"]+)"', html)
        assert refs, f"/{page} references no script or style"
        for ref in sorted(set(refs)):
            status = httpx.get(httpx.URL(base).join(ref), timeout=30).status_code
            assert status == 200, f"/{page} references {ref}: {status}"
        print(f"/{page}: {len(set(refs))} scripts and styles, all 200")


def check_in_chromium(base: str) -> None:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = browser.new_page()
        page.set_default_timeout(60_000)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

        def only_local(route) -> None:  # type: ignore[no-untyped-def]
            if route.request.url.startswith(base):
                route.continue_()
            else:
                problems.append(f"left the machine: {route.request.url}")
                route.abort()

        page.route("**/*", only_local)
        page.goto(base + "query")
        page.wait_for_selector(".CodeMirror")
        # Leaving before the saved queries arrive would abort that fetch ("requestfailed"),
        # a failure of the check, not of the page.
        page.wait_for_selector("#saved-status[data-state='loaded']")
        page.goto(base + "explore")
        page.wait_for_function("() => document.body.dataset.ready === 'true'")
        page.wait_for_function("() => window.explorer.nodeCount() > 0")
        browser.close()
    assert not problems, problems
    print("/query and /explore drawn in Chromium")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wheel-check-") as tmp:
        tmpdir = Path(tmp)
        dist = tmpdir / "dist"
        run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
        (wheel,) = dist.glob("partnergraph-*.whl")
        check_wheel(wheel)

        venv = tmpdir / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        # uv (a dev dependency) installs the wheel and its dependencies, pinned by the lock.
        uv = [str(Path(sys.executable).parent / "uv"), "pip", "install", "--quiet"]
        run([*uv, "--python", str(venv / "bin" / "python"), "-c", "requirements.lock", str(wheel)])

        empty = tmpdir / "empty"
        empty.mkdir()
        home = tmpdir / "home"
        port = free_port()  # not 8000, which may be taken on a shared machine
        base = f"http://127.0.0.1:{port}/"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERGRAPH_", "XDG_"))}
        env |= {
            "HOME": str(home),
            "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
            "PARTNERGRAPH_PORT": str(port),
            "PARTNERGRAPH_BASE_IRI": base,
        }
        cli = str(venv / "bin" / "partnergraph")
        run([cli, "load"], cwd=empty, env=env)
        store = home / ".local" / "share" / "partnergraph" / "store"
        assert store.is_dir(), f"no store at {store}"
        assert not any(empty.iterdir()), "load wrote into the working folder"

        missing = {**env, "PARTNERGRAPH_ASSETS_DIR": str(tmpdir / "nothing")}
        refused = subprocess.run(
            [cli, "serve"], cwd=empty, env=missing, capture_output=True, text=True
        )
        assert refused.returncode == 2, (refused.returncode, refused.stderr)
        assert "make assets" in refused.stderr, refused.stderr
        print("serve without assets: exit 2,", refused.stderr.strip()[:100], "…")

        proc = subprocess.Popen([cli, "serve"], cwd=empty, env=env)
        try:
            wait_until_up(base, proc, time.monotonic() + 120)
            check_references(base)
            if Path(CHROMIUM).exists():
                check_in_chromium(base)
            else:
                print(f"{CHROMIUM} missing: pages not drawn (run `make test` as root first)")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print("wheel check passed")


if __name__ == "__main__":
    main()
