"""`manage.py develop`, what `make run` starts: runserver and the job worker, stopped together.
.ci/check_make_run.py runs `make run` itself, as the README says, and stops it three ways."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from django.conf import settings
from django.test import SimpleTestCase, TransactionTestCase

from tests.production.helpers import (
    MANAGE,
    database_url,
    fetch,
    free_port,
    read_from_start,
    run_manage,
    wait_for_http,
    wait_for_text,
)


class DevelopTests(TransactionTestCase):
    def start(self, port):
        env = dict(os.environ, DJANGO_DEBUG="true", DATABASE_URL=database_url())
        env["DJANGO_LOG_LEVEL"] = "INFO"  # the job worker says when it started and stopped
        # The table of the development cache, which `make run` makes with migrate (the test
        # database was migrated with the tests' memory cache).
        self.assertEqual(run_manage("createcachetable", env=env).returncode, 0)
        output = self.enterContext(tempfile.TemporaryFile("w+"))
        process = subprocess.Popen(
            [sys.executable, MANAGE, "develop", f"127.0.0.1:{port}"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        self.addCleanup(self.kill, process)
        return process, output

    def kill(self, process):
        if process.poll() is None:  # a failed test: its children are in sessions of their own
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait()

    def test_a_sigterm_to_it_alone_stops_runserver_and_the_job_worker(self):
        port = free_port()
        process, output = self.start(port)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process, timeout=120)
        status, _, body = fetch(f"http://127.0.0.1:{port}/healthz")
        self.assertEqual(status, 200, body)
        wait_for_text(output, "Starting worker", process=process)
        children = psutil.Process(process.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        # runserver's autoreloader and the server it runs, and the worker.
        self.assertEqual(sum("runserver" in command for command in commands), 2, commands)
        self.assertEqual(sum("procrastinate worker" in command for command in commands), 1)

        # As make passes on a SIGTERM, or a service manager sends one: to this process only.
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=60), 0, read_from_start(output))
        _, alive = psutil.wait_procs(children, timeout=10)
        self.assertEqual(alive, [])
        self.assertIn("Stopped worker on all queues", read_from_start(output))

    def test_when_runserver_ends_the_worker_stops_and_develop_fails_naming_it(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            process, output = self.start(taken.getsockname()[1])
            self.assertEqual(process.wait(timeout=120), 1)
        text = read_from_start(output)
        self.assertIn("That port is already in use", text)
        self.assertIn("runserver ended with 1", text)


# A process that starts (or joins) an embedded PostgreSQL in a folder, then ends as given.
USE_EMBEDDED = (
    "import os, sys; from pathlib import Path; from publication.db import embedded_database_url;"
    " embedded_database_url(Path(sys.argv[1])); {end}"
)


class EmbeddedDatabaseTests(SimpleTestCase):
    def test_the_last_process_stops_it_though_another_was_killed_while_using_it(self):
        data = Path(tempfile.mkdtemp(prefix="embedded-")) / "pgdata"
        self.addCleanup(shutil.rmtree, data.parent, ignore_errors=True)
        self.addCleanup(self.stop_postmaster, data)
        for end in ("os.kill(os.getpid(), 9)", "pass"):  # killed, then one that exits
            subprocess.run(
                [sys.executable, "-c", USE_EMBEDDED.format(end=end), str(data)],
                cwd=settings.BASE_DIR,
                timeout=120,
            )
        # The killed process never left pgserver's list of users; the second, the last
        # one running, stopped the server all the same.
        self.assertFalse((data / "postmaster.pid").exists())

    def stop_postmaster(self, data):
        if (data / "postmaster.pid").exists():  # a failed test: stop it at once
            os.kill(int((data / "postmaster.pid").read_text().split()[0]), signal.SIGINT)
