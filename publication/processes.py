"""A web server and the job worker run side by side and stop together: `manage.py serve`
(gunicorn, production) and `manage.py develop` (runserver, what `make run` starts)."""

import os
import signal
import subprocess
import time
from dataclasses import dataclass

STOP_TIMEOUT = 30  # seconds each child gets to stop before it is killed


@dataclass
class Child:
    name: str
    args: list[str]
    stop_signal: int = signal.SIGTERM
    # Signal every process of the child's session, not the child alone: runserver's
    # autoreloader runs the server as a child process of its own.
    whole_group: bool = False


def run_together(children: list[Child], *, cwd) -> list[str]:
    """Run the children until one ends or this process gets SIGINT or SIGTERM, then stop
    them all (each is killed after STOP_TIMEOUT). Returns how each child that did not end
    cleanly ended, so the caller can fail and a service manager see it.

    This process holds the embedded PostgreSQL (when DATABASE_URL is unset) for as long as
    its children run; they join the same server. Each child runs in a session of its own, so
    only this process forwards the stop: a terminal's Ctrl-C or a service manager signals
    the whole group, and a second signal kills the job worker at once (procrastinate stops
    gracefully on the first and restores the default handler), mid-job and without its
    clean-up."""
    started = []  # (child, process)
    signalled = set()
    stopping = []  # a stop came, perhaps before every child had started

    def send(child, process, signal_number):
        if child.whole_group:
            os.killpg(process.pid, signal_number)
        else:
            process.send_signal(signal_number)

    def stop(*_):
        stopping.append(True)
        # Once per child: a signal here and the loop below ending would send two.
        for child, process in started:
            if process.poll() is None and process.pid not in signalled:
                signalled.add(process.pid)
                send(child, process, child.stop_signal)

    # Before the first child starts: a stop meanwhile killed this process and left the
    # children it had started running, out of the terminal's and the service's reach.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        if stopping:
            break
        process = subprocess.Popen(child.args, cwd=cwd, env=os.environ, start_new_session=True)
        started.append((child, process))
    # When either process ends, stop the other: a site without its worker is not running.
    while not stopping and all(process.poll() is None for _, process in started):
        time.sleep(0.5)
    stop()
    for child, process in started:
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            send(child, process, signal.SIGKILL)
            process.wait()
    return [
        f"{child.name} ended with {process.returncode}"
        for child, process in started
        if process.returncode != 0
    ]
