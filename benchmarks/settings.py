"""Production settings plus the benchmark's ceiling endpoint; used only by `make bench`."""

from publication.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
