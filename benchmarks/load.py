"""Public pages under load, as production runs them: `make bench`.

    .venv/bin/python benchmarks/load.py [--sizes 1000 20000] [--duration 10] [--runs 3]

For each archive size: a database of its own (bench_pages_<size>) on the project's
PostgreSQL, migrated and filled once by `seed_benchmark`; then gunicorn with 2 sync
workers, DEBUG off, static files collected, on 127.0.0.1, with the page cache off and
then on. Each page is warmed up, then driven by Debian's `wrk` (1 thread, 8
connections, bounded duration) and the median of the runs is kept. The ceiling is a
constant response behind the same server and middleware (benchmarks/urls.py, never in
production URLs), measured again right before each page; every page is reported as a
share of the ceiling run next to it.
Prints one table and writes var/bench/results.json. Stops everything it started.
"""

import argparse
import contextlib
import json
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8106"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "8116"))
ORIGIN = f"http://127.0.0.1:{PORT}"
OUTPUT = BASE_DIR / "var" / "bench" / "results.json"
PAGES = [
    "ceiling",
    "home",
    "home, gzip",
    "article",
    "section",
    "deep section page",
    "topic",
    "deep topic page",
    "author",
    "deep author page",
    "creator",
    "search",
    "feed",
    "sitemap",
    "newsletter page",
    "signup POST",
]


def server_url() -> str:
    sys.path.insert(0, str(BASE_DIR))
    from publication.db import embedded_database_url

    return os.environ.get("DATABASE_URL") or embedded_database_url(BASE_DIR / "var" / "pgdata")


def bench_database(url: str, name: str) -> str:
    """The URL of database `name` on the server at url, created if it is missing."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# One key for every process of a run (signed form tokens cross processes); production
# settings refuse short or placeholder keys.
SECRET_KEY = secrets.token_urlsafe(50)


def base_env(database_url: str, *, page_cache: bool, redis: bool = False) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": ORIGIN,
        "DATABASE_URL": database_url,
        "DJANGO_PAGE_CACHE": "true" if page_cache else "false",
        # Every POST is a new reader from the same address: lift the per-IP limit.
        "NEWSLETTER_SIGNUPS_PER_IP_HOUR": "100000000",
    }
    if redis:
        env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    return env


class Redis:
    """A throw-away redis-server for the run, as production's REDIS_URL would point to."""

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True
            ).returncode
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)

    def pids(self) -> list[int]:
        return [self.process.pid]


class Postgres:
    """The embedded PostgreSQL's processes (postmaster and backends), when the database is
    a server on this machine whose data directory the URL names: with the page cache off
    most of a page's CPU time is spent there."""

    def __init__(self, database_url: str):
        host = urlsplit(database_url).query.partition("host=")[2].split("&")[0]
        self.pid_file = Path(host) / "postmaster.pid" if host.startswith("/") else None

    def pids(self) -> list[int]:
        with contextlib.suppress(OSError, ValueError, TypeError):
            postmaster = int(self.pid_file.read_text().split()[0])
            children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text()
            return [postmaster, *map(int, children.split())]
        return []


def manage(env, *args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout


def prepare(database_url: str, size: int) -> None:
    env = base_env(database_url, page_cache=False)
    count = migrated_article_count(env)
    if count != size:
        if count:
            sys.exit(f"bench_pages_{size} holds {count} articles; drop it and run again.")
        started = time.perf_counter()
        manage(env, "seed_benchmark", "--articles", str(size))
        print(f"seeded {size} articles in {time.perf_counter() - started:.0f} s", flush=True)


DESCRIBE_COUNT = "from articles.models import Article; print(Article.objects.count())"


def migrated_article_count(env) -> int:
    """Bring a benchmark database up to date, as production would be; its article count."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v0")
    return int(manage(env, "shell", "-c", DESCRIBE_COUNT, capture=True).strip().splitlines()[-1])


def describe(database_url: str, *, redis: bool) -> dict:
    """The URL of each page, and its queries and bytes with no page cache."""
    env = base_env(database_url, page_cache=False, redis=redis)
    script = BASE_DIR / "benchmarks" / "describe_pages.py"
    output = subprocess.run(
        [PYTHON, str(script)], cwd=BASE_DIR, env=env, check=True, text=True, capture_output=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


class Server:
    def __init__(self, env, log: Path):
        self.env, self.log = env, log

    def __enter__(self):
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent))
        if gunicorn is None:
            sys.exit("gunicorn is not installed in the virtualenv: run `make install`.")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # One JSON line per request, as in production; kept out of the table's way.
        self.output = self.log.open("w")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "publication.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{PORT}",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{ORIGIN}/bench/ceiling/", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.output.close()

    def pids(self) -> list[int]:
        """The master and its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [self.process.pid, *map(int, children.read_text().split())]
        return [self.process.pid]


POST_SCRIPT = """
local counter = 0
local nonce = tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "{origin}"
request = function()
  counter = counter + 1
  local body = "email=bench" .. nonce .. "." .. counter .. "%40example.com&name=&website="
    .. "&source=footer&token={token}"
  return wrk.format(nil, nil, nil, body)
end
"""


def ensure_wrk() -> None:
    """Install Debian's wrk when it is missing (setup_wrk.sh: apt-get as root or with
    password-less sudo), or stop with the one command that would."""
    if shutil.which("wrk") is None:
        setup = subprocess.run(["bash", str(BASE_DIR / "benchmarks" / "setup_wrk.sh")])
        if setup.returncode or shutil.which("wrk") is None:
            sys.exit(1)


def wrk(url: str, duration: int, script: str | None = None, headers: dict | None = None) -> dict:
    command = ["wrk", "-t1", "-c8", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(
        [*command, url], check=True, text=True, capture_output=True, timeout=duration + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        pct: to_ms(value)
        for pct, value in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+\w+)", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes and the children they reaped (Linux /proc).

    A recycled gunicorn worker's time moves to the master's children total, so the sum
    stays whole across a restart."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def reaped_cpu_seconds() -> float:
    """CPU time of this script's finished children: the wrk runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    pages: dict,
    *,
    duration: int,
    runs: int,
    post_script: str,
    processes=(),
    only=(),
    ceiling_seconds: int = 3,
) -> dict:
    """Each page's requests/second and latency, and the CPU time the server, the cache
    (processes) and wrk spent per request: on a shared machine that moves far less with
    other load than requests/second do.

    The ceiling is measured again (a short wrk run) right before each run of each page and
    the run is compared with it: on a shared machine the ceiling moves several-fold within
    minutes, so one ceiling at the start made every later ratio a lottery. A page's share
    is the median of its runs' shares; the ceiling's own row is the median of all its runs."""

    def pids():
        return [pid for process in processes for pid in process.pids()]

    def drive(url, headers, script, seconds):
        watched = pids()
        before = cpu_seconds(watched) + reaped_cpu_seconds()
        sample = wrk(url, seconds, script, headers)
        watched += [pid for pid in pids() if pid not in watched]  # a recycled worker
        spent = cpu_seconds(watched) + reaped_cpu_seconds() - before
        sample["cpu_us"] = spent / max(sample["rps"] * seconds, 1) * 1e6
        return sample

    results, ceilings = {}, []
    for name in PAGES:
        page = pages.get(name)
        if page is None or name == "ceiling" or (only and name not in only):
            continue
        url = ORIGIN + page["url"]
        headers = page.get("headers", {})
        if name != "signup POST":
            for _ in range(20):  # warm up: templates, connections, the page cache
                request = urllib.request.Request(url, headers=headers)
                urllib.request.urlopen(request, timeout=10).read()
        # Each run of the page right after a short run of the ceiling, and the page's share
        # of that ceiling per run: the median of those shares moves far less between runs
        # than a share of one ceiling measured before all of them.
        samples, page_ceilings = [], []
        for _ in range(runs):
            ceiling = drive(ORIGIN + pages["ceiling"]["url"], {}, None, ceiling_seconds)
            sample = drive(url, headers, post_script if name == "signup POST" else None, duration)
            sample["share"] = sample["rps"] / max(ceiling["rps"], 1)
            page_ceilings.append(ceiling)
            samples.append(sample)
        ceiling = median_of(page_ceilings)
        ceilings += page_ceilings
        result = median_of(samples)
        result["ceiling_rps"], result["ceiling_cpu_us"] = ceiling["rps"], ceiling["cpu_us"]
        results[name] = result
        print(
            f"  {name:<18} {result['rps']:>8.0f} req/s  {result['share'] * 100:5.1f} % of ceiling "
            f"p99 {result['p99_ms']} ms  {result['cpu_us']:.0f} µs CPU/request  "
            f"(ceiling {ceiling['rps']:.0f} req/s, {ceiling['cpu_us']:.0f} µs)",
            flush=True,
        )
    if ceilings:
        results["ceiling"] = median_of(ceilings)
    return results


def median_of(samples: list[dict]) -> dict:
    """The median run (by requests/second) with the medians of its figures, and each run's
    figures (`shares`, `rps_runs`) for the ratios between pages."""
    samples = sorted(samples, key=lambda sample: sample["rps"])
    median = dict(samples[len(samples) // 2])
    for key in ("rps", "cpu_us", "share"):
        if key in median:
            median[key] = statistics.median(sample[key] for sample in samples)
    median["rps_runs"] = [sample["rps"] for sample in samples]
    if "share" in median:
        median["shares"] = [sample["share"] for sample in samples]
    return median


# Pages whose cost must not grow with how far back a reader goes: deep page ≤ 2× page 1.
DEEP_PAGES = {
    "deep section page": "section",
    "deep topic page": "topic",
    "deep author page": "author",
}


def ratio(numerator: dict, denominator: dict) -> dict | None:
    """numerator's share of the ceiling over denominator's, from the medians of their runs,
    with the widest range their runs allow (lowest over highest, highest over lowest)."""
    if not numerator or not denominator or not denominator.get("share"):
        return None
    top, bottom = numerator.get("shares", [numerator["share"]]), denominator.get("shares")
    bottom = bottom or [denominator["share"]]
    return {
        "ratio": numerator["share"] / denominator["share"],
        "low": min(top) / max(bottom),
        "high": max(top) / min(bottom),
        "runs": min(len(top), len(bottom)),
        # The same comparison in CPU time per request (server, PostgreSQL on this machine,
        # the cache, wrk): denominator's over numerator's, so that it reads like `ratio`.
        "cpu_ratio": denominator["cpu_us"] / max(numerator["cpu_us"], 1),
    }


def ratios(report: dict) -> dict:
    """The two targets that compare pages, per page cache mode, from the medians of runs:
    `growth` — each page's share of the ceiling at the largest size over the smallest
    (≥ 0.9: within 10 %); `deep` — page 1's share over its deep page's at each size, i.e.
    how many times a deep page costs page 1 (≤ 2)."""
    sizes = sorted(report)
    found = {"growth": {}, "deep": {}}
    for mode in ("off", "on"):
        if len(sizes) > 1:
            small, large = report[sizes[0]].get(mode, {}), report[sizes[-1]].get(mode, {})
            found["growth"][mode] = {
                name: figure
                for name in PAGES
                if name != "ceiling"
                and (figure := ratio(large.get(name), small.get(name))) is not None
            }
        found["deep"][mode] = {
            size: {
                deep: figure
                for deep, first in DEEP_PAGES.items()
                if (
                    figure := ratio(
                        report[size].get(mode, {}).get(first), report[size].get(mode, {}).get(deep)
                    )
                )
                is not None
            }
            for size in sizes
        }
    return found


def print_table(report: dict) -> None:
    for size, data in report.items():
        print(f"\n{size} articles (wrk -t1 -c8, gunicorn 2 workers, {data['cache']} cache)")
        header = (
            f"{'page':<18} {'queries':>7} {'KiB':>6} | {'uncached req/s':>14} {'%ceil':>6} "
            f"{'p50':>6} {'p99':>6} | {'cached req/s':>12} {'%ceil':>6} {'p50':>6} {'p99':>6} "
            f"{'cpu%':>6}"
        )
        print(header)
        print("-" * len(header))
        for name in PAGES:
            page = data["pages"].get(name)
            if page is None:
                print(f"{name:<18} (not in this version)")
                continue
            cells = [f"{name:<18} {page.get('queries', '-'):>7} {page.get('kib', '-'):>6}"]
            for mode in ("off", "on"):
                result = data.get(mode, {}).get(name)
                if result is None:
                    cells.append(f"{'-':>14} {'':>6} {'':>6} {'':>6}")
                    continue
                ceiling = data[mode]["ceiling"]
                ceiling_rps = result.get("ceiling_rps", ceiling["rps"])
                share = result.get("share", result["rps"] / ceiling_rps) * 100
                width = 14 if mode == "off" else 12
                cells.append(
                    f"{result['rps']:>{width}.0f} {share:>5.1f}% "
                    f"{result['p50_ms']:>6.1f} {result['p99_ms']:>6.1f}"
                )
                if mode == "on":
                    # The ceiling's CPU per request over the page's (server, cache and wrk;
                    # a hit uses no database): its share of the ceiling if CPU alone bound
                    # it, which other load on the machine moves far less than req/s.
                    ceiling_cpu = result.get("ceiling_cpu_us", ceiling["cpu_us"])
                    cells[-1] += f" {ceiling_cpu / max(result['cpu_us'], 1) * 100:>5.1f}%"
            print(" | ".join(cells))
    print_ratios(report, ratios(report))


def print_ratios(report: dict, found: dict) -> None:
    def cell(figure):
        if figure is None:
            return f"{'-':>19} {'-':>5}"
        text = f"{figure['ratio']:.2f} ({figure['low']:.2f}–{figure['high']:.2f})"
        return f"{text:>19} {figure['cpu_ratio']:>5.2f}"

    sizes = sorted(report)
    runs = max(
        (
            len(result.get("shares", []))
            for data in report.values()
            for mode in ("off", "on")
            for result in data.get(mode, {}).values()
        ),
        default=0,
    )
    print(
        f"\nRatios of shares of the ceiling, medians of {runs} run(s) each "
        "(in brackets: the range the runs allow), and `cpu`: the same ratio in CPU time "
        "per request (server, PostgreSQL when it runs here, cache, wrk)"
    )
    heading = f"{'page cache off':>19} {'cpu':>5} | {'page cache on':>19} {'cpu':>5}"
    if len(sizes) > 1:
        print(f"{sizes[-1]} over {sizes[0]} articles (target ≥ 0.90: within 10 %)")
        print(f"{'page':<18} | {heading}")
        for name in PAGES:
            figures = [found["growth"].get(mode, {}).get(name) for mode in ("off", "on")]
            if name != "ceiling" and any(figures):
                print(f"{name:<18} | " + " | ".join(cell(figure) for figure in figures))
    print("page 1 over its deep page: how many times page 1's cost a deep page costs (≤ 2)")
    print(f"{'page':<18} {'size':>6} | {heading}")
    for size in sizes:
        for deep in DEEP_PAGES:
            figures = [
                found["deep"].get(mode, {}).get(size, {}).get(deep) for mode in ("off", "on")
            ]
            if any(figures):
                print(f"{deep:<18} {size:>6} | " + " | ".join(cell(figure) for figure in figures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="wrk runs per page, each after a short run of the ceiling (medians kept)",
    )
    parser.add_argument(
        "--ceiling-duration", type=int, default=3, help="seconds of each ceiling run"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--pages", nargs="+", default=[], help="measure only these pages (and the ceiling)"
    )
    parser.add_argument("--modes", nargs="+", choices=["off", "on"], default=["off", "on"])
    parser.add_argument(
        "--cache",
        choices=["redis", "database"],
        default="redis" if shutil.which("redis-server") else "database",
        help="the shared cache: a redis-server of the run's own (REDIS_URL), or the "
        "database cache production uses without Redis",
    )
    options = parser.parse_args()
    ensure_wrk()

    url = server_url()
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in options.sizes:
            database_url = bench_database(url, f"bench_pages_{size}")
            prepare(database_url, size)
            redis = options.cache == "redis"
            with Redis() if redis else contextlib.nullcontext():
                pages = describe(database_url, redis=redis)
            post_script = Path(tmp) / "post.lua"
            token = pages.pop("_token")
            # What browsers send: the page cache keeps a gzipped copy for them.
            pages["home, gzip"] = {
                **pages["home"],
                "kib": "-",
                "headers": {"Accept-Encoding": "gzip"},
            }
            post_script.write_text(POST_SCRIPT.format(origin=ORIGIN, token=token))
            report[size] = {"pages": pages, "cache": options.cache}
            for mode in options.modes:
                print(f"{size} articles, page cache {mode}", flush=True)
                env = base_env(database_url, page_cache=mode == "on", redis=redis)
                log = OUTPUT.parent / f"server-{size}-{mode}.log"
                cache = Redis() if redis else contextlib.nullcontext()
                with cache, Server(env, log) as server:
                    report[size][mode] = measure(
                        pages,
                        duration=options.duration,
                        runs=options.runs,
                        post_script=str(post_script),
                        processes=[server, Postgres(database_url), *([cache] if redis else [])],
                        only=options.pages,
                        ceiling_seconds=options.ceiling_duration,
                    )
    print_table(report)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps({**report, "ratios": ratios(report)}, indent=2))
    print(f"\nwrote {options.output}")


if __name__ == "__main__":
    main()
