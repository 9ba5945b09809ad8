"""The policy decides, nobody else: a contract over the code and the templates.

- No module or template outside ``truceline/policy/`` reads a user's role (or Django's staff
  flags, or an organisation's kind) to decide; the few that read one to show it, or to keep
  the role itself (the account's own services), are listed below with their reason. A new
  read fails here: decide by ``policy.can(user, "<action>", obj)`` or a named policy helper.
- Rule modules declare nothing when imported: each has ``register_rules()``, called by
  ``policy.rules.register_all()`` for every module listed in ``RULE_MODULES``.
- Every action named in a ``can(...)`` call anywhere in the code is one a rule decides (and
  test_transitions.py fails when one a rule decides has no row in its tables).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from truceline.policy import registered_actions
from truceline.policy.rules import RULE_MODULES

ROOT = Path(__file__).resolve().parents[2]  # truceline/
POLICY = ROOT / "policy"

# Reading a role is deciding, unless it is one of these: (file, words of the line) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    ("evidence/selectors.py", "ROLE_NOUNS.get(person.role"): (
        "display: a custody trail names a person as organisation and role"
    ),
    ("accounts/outputs.py", '"role": getattr(user, "role", "")'): (
        "display: the signed-in person's own account, as the API's /me shows it"
    ),
    ("accounts/management/commands/token.py", "{t.role}"): (
        "display: the token command's listing for the secretariat's operator"
    ),
    ("scenario/services.py", '"role": a.role'): (
        "not a user: a scenario actor's role in the conflict, copied into the ledger"
    ),
    ("scenario/outputs.py", '"role": a.role'): "not a user: a scenario actor's role, shown",
    ("core/synthetic.py", "User.objects.filter(role=Role."): (
        "test data: the synthetic generator picks a liaison and a monitor to act as"
    ),
    # The account's own services keep the role itself: which roles an organisation's kind
    # admits, the admin flags that follow the role, a token bound to the role it was made for.
    ("accounts/services.py", "organisation.kind == OrganisationKind.PARTY"): (
        "bookkeeping: the roles an organisation's kind admits, checked on a write"
    ),
    ("accounts/services.py", "organisation.kind} organisation cannot hold"): (
        "bookkeeping: the refusal's message names the organisation's kind"
    ),
    ("accounts/services.py", "if not user.is_active or not user.role:"): (
        "bookkeeping: a token is made for the role its owner holds (none: no token)"
    ),
    ("accounts/services.py", "role=user.role,"): "bookkeeping: the token records that role",
    ("accounts/services.py", '"role": token.role'): "bookkeeping: the ledger records it",
    ("accounts/services.py", "user.role != token.role"): (
        "bookkeeping: a token dies when its owner's role changes"
    ),
    ("accounts/services.py", "if user.organisation is not None and user.role:"): (
        "bookkeeping: a changed role is checked against its organisation"
    ),
    ("accounts/services.py", "_check_role_fits(user.role, user.organisation)"): (
        "bookkeeping: as above"
    ),
    ("accounts/services.py", "user.is_staff = user.is_superuser = user.role == Role.ADMIN"): (
        "bookkeeping: Django's admin flags follow the role"
    ),
    ("accounts/services.py", '"role": user.role,'): "bookkeeping: the ledger records the role",
}

ROLE_ATTRIBUTES = {"role", "is_staff", "is_superuser"}
ROLE_HELPERS = {"role_of", "is_mediator", "is_party_user", "liaison_org"}
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create"}
TEMPLATE_READS = re.compile(r"viewer_role|\.role\b|\bis_staff\b|\bis_superuser\b|\bperms\.")


def _modules() -> list[Path]:
    skip = {"tests", "migrations", "testing", "locale", "policy"}
    return sorted(p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts[:-1]))


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "policy" not in p.parts)


def _is_role_keyword(name: str | None) -> bool:
    return name is not None and (
        name in ROLE_ATTRIBUTES or any(name.endswith(f"__{a}") for a in ROLE_ATTRIBUTES)
    )


def role_reads(tree: ast.AST) -> list[int]:
    """The lines of a module that read a user's role to decide."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr in ROLE_ATTRIBUTES:
                lines.append(node.lineno)
            owner = node.value
            owner_name = getattr(owner, "attr", getattr(owner, "id", None))
            if node.attr == "kind" and owner_name == "organisation":
                lines.append(node.lineno)
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "attr", getattr(func, "id", None))
            if name in ROLE_HELPERS:
                lines.append(node.lineno)
            if (
                name == "getattr"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in ROLE_ATTRIBUTES
            ):
                lines.append(node.lineno)
            if name in QUERY_METHODS and any(_is_role_keyword(k.arg) for k in node.keywords):
                lines.append(node.lineno)
    return sorted(set(lines))


def _found() -> dict[tuple[str, int], str]:
    out = {}
    for path in _modules():
        source = path.read_text()
        text = source.splitlines()
        for line in role_reads(ast.parse(source)):
            out[(str(path.relative_to(ROOT)), line)] = text[line - 1].strip()
    for path in _templates():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if TEMPLATE_READS.search(line.replace("get_role_display", "")):
                out[(str(path.relative_to(ROOT)), n)] = line.strip()
    return out


def _allowed(path: str, line: str) -> bool:
    return any(p == path and words in line for p, words in ALLOWED)


def test_nothing_outside_the_policy_decides_by_role() -> None:
    wrong = [f"{p}:{n}: {line}" for (p, n), line in _found().items() if not _allowed(p, line)]
    assert not wrong, (
        "decided by role outside truceline/policy/ (ask policy.can() or a policy helper; "
        "a read that only shows a role goes in ALLOWED with its reason):\n" + "\n".join(wrong)
    )


def test_every_allowance_is_still_used() -> None:
    found = _found()
    stale = [
        f"{p}: {words}"
        for p, words in ALLOWED
        if not any(fp == p and words in line for (fp, _n), line in found.items())
    ]
    assert not stale, f"allowances that match nothing any more (remove them): {stale}"


def test_the_contract_sees_a_role_read() -> None:
    """The detector itself: each way of reading a role is caught, showing one is not."""
    caught = [
        "if actor.role != Role.MONITOR: pass",
        "x = getattr(request.user, 'role', '') == 'monitor'",
        "ok = is_mediator(request.user)",
        "ok = policy.role_of(user) == 'admin'",
        "people = User.objects.filter(role=Role.ADMIN)",
        "people = Event.objects.filter(actor__role='monitor')",
        "staff = request.user.is_superuser",
        "party = user.organisation.kind == 'party'",
    ]
    for source in caught:
        assert role_reads(ast.parse(source)), source
    assert not role_reads(ast.parse("u = User(username='m', role=Role.MONITOR)"))
    assert TEMPLATE_READS.search('{% if viewer_role == "admin" %}')
    assert TEMPLATE_READS.search("{% if user.role == 'monitor' %}")
    assert not TEMPLATE_READS.search("{{ user.get_role_display }}".replace("get_role_display", ""))


# --- explicit registration ----------------------------------------------------------------


def _top_level_calls(tree: ast.Module) -> list[str]:
    names = []
    for stmt in tree.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                break
            if isinstance(node, ast.Call):
                names.append(getattr(node.func, "id", getattr(node.func, "attr", "")))
    return names


def test_rule_modules_register_explicitly() -> None:
    listed = {m.__name__.rsplit(".", 1)[1] for m in RULE_MODULES}
    for path in sorted(POLICY.glob("*.py")):
        tree = ast.parse(path.read_text())
        top = _top_level_calls(tree)
        assert not {"register", "register_actions"} & set(top), (
            f"policy/{path.name} registers rules when imported; do it in register_rules()"
        )
        defines = any(
            isinstance(n, ast.FunctionDef) and n.name == "register_rules" for n in tree.body
        )
        if defines:
            assert path.stem in listed, f"policy/{path.name} is missing from RULE_MODULES"
    for module in RULE_MODULES:
        assert callable(getattr(module, "register_rules", None)), module.__name__


# --- action names -----------------------------------------------------------------------------


def _param_index(func: ast.FunctionDef, name: str) -> int | None:
    params = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
    return params.index(name) if name in params else None


def action_names(tree: ast.AST) -> tuple[set[str], list[int]]:
    """The action names of a module's ``can(...)`` calls: literal, a loop over literals, or a
    parameter of a helper whose own calls pass literals. Returns the names, and the lines of
    calls whose name could not be read."""
    names: set[str] = set()
    unread: list[int] = []
    loops: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.comprehension | ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Tuple | ast.List | ast.Set)
            and all(isinstance(e, ast.Constant) for e in node.iter.elts)
        ):
            loops[node.target.id] = {str(e.value) for e in node.iter.elts}  # type: ignore[attr-defined]
    helpers: dict[str, int] = {}  # helper function -> position of its action parameter
    delegated: set[int] = set()  # lines of can() calls that pass a helper's parameter on
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if not _is_can(node):
                continue
            arg = node.args[1]  # type: ignore[attr-defined]
            if isinstance(arg, ast.Name):
                index = _param_index(func, arg.id)
                if index is not None:
                    helpers[func.name] = index
                    delegated.add(node.lineno)
    for node in ast.walk(tree):
        if _is_can(node):
            arg = node.args[1]  # type: ignore[attr-defined]
            if isinstance(arg, ast.Constant):
                names.add(str(arg.value))
            elif isinstance(arg, ast.Name) and arg.id in loops:
                names |= loops[arg.id]
            elif node.lineno not in delegated:
                unread.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in helpers:
                index = helpers[name]
                keyword = [k.value for k in node.keywords if k.arg == "action"]
                value = node.args[index] if index < len(node.args) else next(iter(keyword), None)
                if isinstance(value, ast.Constant):
                    names.add(str(value.value))
                else:
                    unread.append(node.lineno)
    return names, unread


def _is_can(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return False
    return getattr(node.func, "id", getattr(node.func, "attr", None)) == "can"


def test_every_action_asked_is_decided_by_a_rule() -> None:
    registered = registered_actions()
    known = set().union(*registered.values()) | {"view"}  # "view" is visibility itself
    unknown, unread = [], []
    skip = {"tests", "migrations", "testing", "locale"}
    for path in sorted(ROOT.rglob("*.py")):
        if skip & set(path.relative_to(ROOT).parts[:-1]):
            continue
        names, lines = action_names(ast.parse(path.read_text()))
        rel = path.relative_to(ROOT)
        unknown += [f"{rel}: {n}" for n in sorted(names - known)]
        unread += [f"{rel}:{n}" for n in lines]
    assert not unknown, f"can() asked about actions no rule decides: {unknown}"
    assert not unread, f"can() calls whose action is not a literal: {unread}"


def test_action_names_are_read_from_helpers_and_loops() -> None:
    source = """
def _require(actor, action, obj):
    if not can(actor, action, obj):
        raise Forbidden()

def triage(actor, incident):
    _require(actor, "triage", incident)

may = {a: can(user, a, incident) for a in ("open", "ask")}
can(user, "report.file")
"""
    names, unread = action_names(ast.parse(source))
    assert names == {"triage", "open", "ask", "report.file"}, names
    assert not unread
    _names, unread = action_names(ast.parse("def f(user, x):\n    return can(user, x.name, x)"))
    assert unread == [2]
