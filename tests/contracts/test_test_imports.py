"""No test module imports another: what tests share (builders, personas, constants, HTTP
helpers) lives in the test kit, truceline/testing/, and the kit imports no test module either.
The product imports neither. A test module is one in a ``tests`` package, or named ``test_*``
or ``conftest``; fixtures stay in conftest.py, which pytest loads without an import.

Read from the source with ``ast``: every import, at the top of a file or inside a function,
absolute or relative, and ``importlib.import_module``/``__import__`` of a constant name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("truceline", "tests")
KIT = "truceline.testing"


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest"


def exists(name: str) -> bool:
    """Whether ``name`` is a module or package of this repository."""
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def python_files() -> Iterator[Path]:
    yield ROOT / "conftest.py"
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported(source: str, here: str, package: bool = False) -> Iterator[tuple[int, str]]:
    """Each module that ``source`` (the module ``here``) imports, with its line: for ``from M
    import N``, M and, where that is a module, M.N."""
    parent = here if package else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = parent.split(".") if node.level else []
            if node.level > 1:
                base = base[: len(base) - (node.level - 1)]
            name = ".".join([*base, *([node.module] if node.module else [])])
            if name:
                yield node.lineno, name
            for alias in node.names:
                sub = f"{name}.{alias.name}" if name else alias.name
                if exists(sub):
                    yield node.lineno, sub
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                called in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def offences(source: str, here: str, package: bool = False) -> list[str]:
    """What the module ``here`` imports that it may not: a test module, from a test module or
    the kit; a test module or the kit, from the product."""
    in_kit = here == KIT or here.startswith(KIT + ".")
    product = not in_kit and not is_test_module(here)
    found = []
    for line, name in imported(source, here, package):
        kit = name == KIT or name.startswith(KIT + ".")
        if is_test_module(name) or (product and kit):
            found.append(f"{line}: imports {name}")
    return found


def test_no_module_imports_a_test_module() -> None:
    checked = list(python_files())
    assert sum(p.name.startswith("test_") for p in checked) > 50
    found = [
        f"{path.relative_to(ROOT)}:{offence}"
        for path in checked
        for offence in offences(path.read_text(), module_of(path), path.name == "__init__.py")
    ]
    assert not found, (
        "a test module imported: move what is shared into truceline/testing/ (fixtures into "
        "a conftest.py)\n" + "\n".join(found)
    )


CASES = {
    # (source, the module it is in) -> whether it breaks the rule
    ("from truceline.policy.tests.test_matrix import MATRIX", "tests.fuzz.test_x"): True,
    ("import tests.api.test_story", "truceline.backup.tests.test_x"): True,
    ("from truceline.policy.tests import test_matrix", "tests.fuzz.test_x"): True,
    ("from truceline.evidence import tests", "tests.fuzz.test_x"): True,
    ("from .test_matrix import MATRIX", "truceline.policy.tests.test_x"): True,
    ("from . import test_matrix", "truceline.policy.tests.test_x"): True,
    ("from ..tests import test_matrix", "truceline.policy.tests.test_x"): True,
    ("from tests.browser.conftest import live", "tests.browser.test_x"): True,
    ("import importlib\nimportlib.import_module('tests.api.test_story')", "tests.x.test_x"): True,
    ("def f():\n    from tests.api.test_story import test_story_through_the_api", "conftest"): True,
    ("from truceline.policy.tests.test_matrix import MATRIX", "truceline.testing.x"): True,
    ("from truceline.testing.incidents import REPORT", "truceline.reports.services"): True,
    ("from truceline.testing.incidents import make_incident", "tests.fuzz.test_x"): False,
    ("from truceline.testing import files", "truceline.evidence.tests.test_x"): False,
    ("from truceline.accounts.testing import fresh_code", "truceline.reports.services"): False,
    ("from .models import Report", "truceline.reports.services"): False,
    ("import pytest", "truceline.policy.tests.test_x"): False,
}


def test_the_rule_sees_each_kind_of_import() -> None:
    wrong = [case for case, offends in CASES.items() if bool(offences(*case)) != offends]
    assert not wrong, wrong
