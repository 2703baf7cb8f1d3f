"""tests/browser/setup_chromium.sh, which `make test` runs first: a machine without
Chromium gets one with no reading (issue 6), or the one command to run.

The script runs for real in bash; the system programs it calls (id, sudo, apt-get and
the venv's playwright and python) are small scripts on its PATH that note each call,
so no test installs anything."""

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

SCRIPT = Path(settings.BASE_DIR) / "tests/browser/setup_chromium.sh"
SUCCEEDS, FAILS = "exit 0", "exit 1"


class SetupChromiumTests(SimpleTestCase):
    def setUp(self):
        self.dir = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.bin = self.dir / "bin"
        self.venv = self.dir / "venv"
        (self.venv / "bin").mkdir(parents=True)
        self.bin.mkdir()
        self.chromium = self.dir / "usr-bin-chromium"  # where Debian's package puts it
        self.calls = self.dir / "calls"

    def program(self, path, body):
        path.write_text(f'#!/bin/sh\necho "${{0##*/}} $*" >> {self.calls}\n{body}\n')
        path.chmod(0o755)

    def setup(self, *, uid=0, apt=None, sudo=None, playwright=FAILS):
        self.program(self.bin / "id", f"echo {uid}")
        if apt is not None:
            self.program(self.bin / "apt-get", apt)
        if sudo is not None:
            self.program(self.bin / "sudo", sudo)
        self.program(self.venv / "bin/playwright", playwright)
        self.program(self.venv / "bin/python", SUCCEEDS)  # launching what playwright got
        result = subprocess.run(
            ["/bin/bash", str(SCRIPT), str(self.venv)],
            env={"PATH": str(self.bin), "SYSTEM_CHROMIUM": str(self.chromium)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        calls = self.calls.read_text().splitlines() if self.calls.exists() else []
        return result.returncode, calls, result.stderr

    @property
    def apt_installs(self):
        # What installing Debian's package leaves: the program at its path.
        return (
            f'[ "$1" = install ] && printf "#!/bin/sh\\n" > {self.chromium}'
            f" && /bin/chmod +x {self.chromium}; exit 0"
        )

    def test_an_installed_chromium_is_used_as_it_is(self):
        self.program(self.chromium, SUCCEEDS)
        self.assertEqual(self.setup(apt=FAILS), (0, [], ""))

    def test_root_installs_debians_package(self):
        status, calls, _ = self.setup(apt=self.apt_installs)
        self.assertEqual(status, 0)
        self.assertEqual(
            [call for call in calls if not call.startswith("id")],
            ["apt-get update -qq", "apt-get install -y -qq chromium"],
        )

    def test_a_user_with_password_less_sudo_installs_it_through_sudo(self):
        status, calls, _ = self.setup(uid=1000, apt=self.apt_installs, sudo='shift; "$@"')
        self.assertEqual(status, 0)
        self.assertIn("sudo -n apt-get install -y -qq chromium", calls)
        self.assertIn("apt-get install -y -qq chromium", calls)

    def test_without_sudo_playwrights_own_build_is_installed(self):
        status, calls, _ = self.setup(uid=1000, apt=FAILS, sudo=FAILS, playwright=SUCCEEDS)
        self.assertEqual(status, 0)
        self.assertIn("playwright install chromium", calls)
        self.assertFalse([call for call in calls if call.startswith("apt-get")])

    def test_when_nothing_works_it_stops_with_the_one_command_to_run(self):
        status, _, errors = self.setup(uid=1000, apt=FAILS, sudo=FAILS)
        self.assertEqual(status, 1)
        self.assertIn("    sudo apt-get install chromium\n", errors)
        # A machine without apt: Playwright's installer with the libraries it needs.
        self.calls.unlink()
        (self.bin / "apt-get").unlink()
        status, _, errors = self.setup(uid=1000, sudo=FAILS)
        self.assertEqual(status, 1)
        self.assertIn(f"    {self.venv}/bin/playwright install --with-deps chromium\n", errors)
