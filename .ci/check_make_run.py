"""CI's proof that the README's first command serves: `make run` on a free port answers the
home page, an article, its stylesheet and /healthz, its job worker starts, and each way it is
stopped stops everything it started (runserver, the worker, and the embedded PostgreSQL when
nothing else uses it): Ctrl-C (SIGINT to the whole process group, as a terminal sends it), a
SIGTERM to the group (a service manager), and a SIGTERM to make alone (`kill <pid of make>`).

Run by .ci/run after `make demo`, with the project's .venv Python (psutil comes with
pgserver). Exits non-zero, printing make's output, when any step fails.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240  # make run sets up first (migrate, load_demo): ~20 s on a warm checkout
STOP_TIMEOUT = 60  # the worker's stop is immediate; runserver's too


class Failed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    """(status, Content-Type, body) without raising for an error status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def wait_until(condition, what: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed(f"make run exited with {process.returncode} before {what}")
        if condition():
            return
        time.sleep(0.5)
    raise Failed(f"{what}: not within {timeout} s")


def answers(url: str) -> bool:
    try:
        get(url)
    except OSError:
        return False
    return True


def expect(url: str, content_type: str, *texts: str) -> str:
    status, kind, body = get(url)
    if status != 200 or not (kind or "").startswith(content_type):
        raise Failed(f"GET {url}: {status} {kind}, expected 200 {content_type}")
    missing = [text for text in texts if text not in body]
    if missing:
        raise Failed(f"GET {url}: {missing} not in the answer")
    print(f"ok  GET {url}: 200 {kind}")
    return body


def check_serving(base: str, process: subprocess.Popen, log: Path) -> list[psutil.Process]:
    wait_until(lambda: answers(base + "/healthz"), "/healthz answered", process, START_TIMEOUT)
    expect(base + "/healthz", "text/plain", "ok")
    home = expect(base + "/", "text/html", "The Meridian", 'href="/static/css/site.css"')
    article = re.search(r'href="(/articles/[a-z0-9-]+/)"', home)
    if article is None:
        raise Failed("the home page links to no article")
    expect(base + article[1], "text/html", "<article", "<h1")
    expect(base + "/static/css/site.css", "text/css", ":root {")
    # The worker says so once it listens for jobs (its log goes to make's stderr).
    wait_until(
        lambda: "Starting worker on all queues" in log.read_text(errors="replace"),
        "the job worker started",
        process,
        60,
    )
    tree = psutil.Process(process.pid).children(recursive=True)
    commands = [" ".join(child.cmdline()) for child in tree]
    for part in ("procrastinate worker", "runserver"):
        if not any(part in command for command in commands):
            raise Failed(f"no {part} process under make run: {commands}")
    print("ok  the job worker and runserver run under make run")
    return tree


def check_stopped(
    process: subprocess.Popen,
    tree: list[psutil.Process],
    log: Path,
    *,
    stop: str,
    signal_number: int,
    database_was_up: bool,
) -> None:
    try:
        returncode = process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failed(f"make run still running {STOP_TIMEOUT} s after {stop}") from None
    # make dies of the signal it got, after its recipe ended; any other ending is a failure.
    if returncode not in (0, -signal_number):
        raise Failed(f"make run ended with {returncode} after {stop}")
    _, alive = psutil.wait_procs(tree, timeout=10)
    if alive:
        raise Failed(f"still running after make run ended: {alive}")
    output = log.read_text(errors="replace")
    if "Stopped worker on all queues" not in output:
        raise Failed("the job worker did not log its clean stop")
    # The last process using the embedded PostgreSQL stops it (publication/db.py), unless
    # something else (a developer's own make run) used it before this one.
    if not database_was_up:
        deadline = time.monotonic() + 20
        while PID_FILE.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        if PID_FILE.exists():
            raise Failed("the embedded PostgreSQL still runs after make run ended")
        print("ok  the embedded PostgreSQL stopped with it")
    print(f"ok  {stop} stopped make run ({returncode}), its worker and runserver")


PID_FILE = BASE_DIR / "var" / "pgdata" / "postmaster.pid"


# How make run is stopped: (what, the signal, to the whole process group or to make alone).
STOPS = [
    ("Ctrl-C", signal.SIGINT, True),
    ("SIGTERM to the process group", signal.SIGTERM, True),
    ("SIGTERM to make alone", signal.SIGTERM, False),
]


def run_and_stop(stop: str, signal_number: int, whole_group: bool) -> None:
    port = free_port()
    database_was_up = bool(os.environ.get("DATABASE_URL")) or PID_FILE.exists()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "SITE_URL"}}
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "make-run.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                ["make", "run", f"PORT={port}"],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                # Its own process group, to send it the Ctrl-C a terminal sends to its
                # foreground group; SIGINT as a terminal leaves it (a background job of a
                # script would otherwise start with it ignored).
                start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        started = time.monotonic()
        try:
            tree = check_serving(base, process, log)
            print(f"    serving {time.monotonic() - started:.0f} s after make run started")
            if whole_group:
                os.killpg(process.pid, signal_number)
            else:
                process.send_signal(signal_number)
            check_stopped(
                process,
                tree,
                log,
                stop=stop,
                signal_number=signal_number,
                database_was_up=database_was_up,
            )
        except Failed:
            print(log.read_text(errors="replace")[-20000:], file=sys.stderr)
            raise
        finally:
            if process.poll() is None:  # a failed check: the worker has a session of its own
                for child in psutil.Process(process.pid).children(recursive=True):
                    child.kill()
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main() -> int:
    for stop, signal_number, whole_group in STOPS:
        print(f"make run, then {stop}:")
        try:
            run_and_stop(stop, signal_number, whole_group)
        except Failed as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
