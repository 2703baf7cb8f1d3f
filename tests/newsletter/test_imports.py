import ast
from pathlib import Path

from django.test import SimpleTestCase

import newsletter

PACKAGE = Path(newsletter.__file__).parent


def module_imports() -> dict[str, set[str]]:
    """newsletter module -> the newsletter modules it imports at module level."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        imported = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        graph[name] = imported
    return {name: {m for m in imported if m in graph} for name, imported in graph.items()}


class ImportCycleTests(SimpleTestCase):
    def test_no_newsletter_module_imports_itself_through_others(self):
        graph = module_imports()

        def reaches(start, target, seen):
            for name in graph[start] - seen:
                if name == target or reaches(name, target, seen | {name}):
                    return True
            return False

        cycles = [name for name in graph if reaches(name, name, set())]
        self.assertEqual(cycles, [])

    def test_the_worker_side_does_not_import_the_request_side(self):
        self.assertNotIn("newsletter.services", module_imports()["newsletter.tasks"])
