"""Which app may use which (issue 6), checked on every import, including those inside functions."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

APPS = ["publication", "articles", "newsletter"]
# Each app and the apps it must never import: publication holds site-wide records,
# articles sit on it, and only the newsletter may use both.
FORBIDDEN = {"publication": {"articles", "newsletter"}, "articles": {"newsletter"}}
# publication is also the project package: its settings and root URLconf name every app.
PROJECT_FILES = {Path("publication/settings.py"), Path("publication/urls.py")}


def module_name(path: Path) -> str:
    return ".".join(path.with_suffix("").parts).removesuffix(".__init__")


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Every module path imports, anywhere in the file (a lazy import is still a dependency)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module
            imported.add(base)
            imported.update(f"{base}.{alias.name}" for alias in node.names)
    # Only the project's own modules matter (and names inside them, like publication.models.Photo).
    return {name for name in imported if name in known or name.split(".")[0] in APPS}


def source_files():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base)
            if "migrations" not in relative.parts:
                yield relative


class DependencyDirectionTests(SimpleTestCase):
    def setUp(self):
        self.files = list(source_files())
        self.known = {module_name(path) for path in self.files}
        self.graph = {
            module_name(path): imported_modules(Path(settings.BASE_DIR) / path, self.known)
            for path in self.files
        }

    def test_no_app_imports_an_app_that_sits_on_top_of_it(self):
        wrong = [
            f"{path} imports {name}"
            for path in self.files
            if path not in PROJECT_FILES
            for name in self.graph[module_name(path)]
            if name.split(".")[0] in FORBIDDEN.get(path.parts[0], set())
        ]
        self.assertEqual(wrong, [])

    def test_only_admin_modules_import_an_admin_module(self):
        # An admin module registers admin classes when imported; models, views and tasks
        # must not pull it in (nor depend on the admin to work): what both need lives
        # in a plain module (the times staff read are publication.times).
        def is_admin(name):
            return name.split(".")[-1] == "admin" or name.split(".")[-1].startswith("admin_")

        wrong = [
            f"{name} imports {imported}"
            for name, modules in self.graph.items()
            if not is_admin(name)
            for imported in modules
            if imported in self.known and is_admin(imported)
        ]
        self.assertEqual(wrong, [])

    def test_no_module_imports_itself_through_others(self):
        graph = {
            name: {m for m in imported if m in self.known} for name, imported in self.graph.items()
        }

        def reaches(start, target, seen):
            for name in graph[start] - seen:
                if name == target or reaches(name, target, seen | {name}):
                    return True
            return False

        self.assertEqual([name for name in graph if reaches(name, name, set())], [])

    def test_the_articles_modules_never_mention_the_newsletter(self):
        # As the issue's own check: `grep -rn newsletter articles/*.py` finds nothing.
        base = Path(settings.BASE_DIR)
        mentions = [
            path.name
            for path in sorted((base / "articles").glob("*.py"))
            if "newsletter" in path.read_text()
        ]
        self.assertEqual(mentions, [])


# Where the code reads environment variables, and how.
ENV_SOURCES = ["publication", "articles", "newsletter", "gunicorn.conf.py"]
ENV_READ = re.compile(
    r"""(?:env_int|env_bool|env_list|os\.environ\.get|os\.environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)"""
)
# Django's conventional module names say what they hold; everything else is named.
CONVENTIONAL = {"__init__", "apps", "admin", "models", "urls", "views", "tests"}


class DocumentationTests(SimpleTestCase):
    """What an operator and a new contributor read matches the tree."""

    def setUp(self):
        self.base = Path(settings.BASE_DIR)

    def table_rows(self, *paths) -> str:
        return "\n".join(
            line
            for path in paths
            for line in (self.base / path).read_text().splitlines()
            if line.startswith("|")
        )

    def test_every_environment_variable_the_code_reads_is_in_a_table(self):
        files = []
        for source in ENV_SOURCES:
            path = self.base / source
            files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
        read = {
            name
            for path in files
            if "migrations" not in path.parts
            for name in ENV_READ.findall(path.read_text())
        }
        self.assertGreater(len(read), 40)
        tables = self.table_rows("docs/deploy.md", "README.md")
        documented = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", tables))
        self.assertEqual(sorted(read - documented), [], "add them to docs/deploy.md's table")
        # A row's first cell names variables; each is one the code still reads.
        named = {
            name
            for row in tables.splitlines()
            for name in re.findall(r"`([A-Z][A-Z0-9_]{2,})`", row.split("|")[1])
        }
        self.assertEqual(sorted(named - read), [], "documented but never read")

    def test_what_is_where_names_every_module_component_and_static_file(self):
        readme = (self.base / "README.md").read_text()
        section = readme[readme.index("## What is where") :]
        section = section[: section.index("\n## ", 1)]
        names = [
            f"{path.relative_to(self.base)}"
            for app in APPS
            for path in sorted((self.base / app).rglob("*.py"))
            if "migrations" not in path.parts and path.stem not in CONVENTIONAL
        ]
        names += [
            f"templates/components/{path.name}"
            for path in sorted((self.base / "templates/components").glob("*.html"))
        ]
        names += [
            f"static/{path.relative_to(self.base / 'static')}"
            for path in sorted((self.base / "static").rglob("*.*"))
        ]
        # Components may be named in words ("teaser card" for teaser_card.html).
        section = section.lower()
        missing = [
            name
            for name in names
            if Path(name).stem not in section and Path(name).stem.replace("_", " ") not in section
        ]
        self.assertEqual(missing, [])
