"""Translations, complete and kept complete: every string of the code and the templates has a
translation in every shipped language, in that language's script and not its English source,
and the compiled catalogues that Django reads are those of the committed sources."""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
ARABIC_SCRIPT = {"ur", "ps", "prs", "ar"}
# may read the same in every language: names, units, codes
SAME_EVERYWHERE = {"Truceline", "API", "PDF", "CSV", "UTC", "HXL", "GeoJSON", "JSON Lines", "—"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def catalogue(code: str):  # type: ignore[no-untyped-def]
    with (LOCALE / code / "LC_MESSAGES" / "django.po").open("rb") as f:
        return read_po(f, locale=None)


def holders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def in_script(text: str, code: str) -> bool:
    letters = [c for c in PLACEHOLDER.sub("", text) if c.isalpha()]
    if not letters:
        return True
    arabic = sum(1 for c in letters if "ARABIC" in unicodedata.name(c, ""))
    return arabic > 0 if code in ARABIC_SCRIPT else arabic == 0


def test_every_string_of_the_code_is_in_every_catalogue(tmp_path: Path) -> None:
    """The strings makemessages finds today, against the committed catalogues (GNU gettext's
    xgettext finds them: `make test` installs Debian's gettext)."""
    assert shutil.which("xgettext"), "GNU gettext is not installed (apt-get install gettext)"
    source = tmp_path / "truceline"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns("locale", "tests", "migrations", "__pycache__", "static"),
    )
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        (source / "locale").mkdir()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(settings, "LOCALE_PATHS", [str(source / "locale")])
            call_command(
                "makemessages", locale=["en"], keep_pot=True, no_location=True, verbosity=0
            )
    finally:
        os.chdir(here)
    pot = (source / "locale" / "django.pot").read_text(encoding="utf-8")
    pot = pot.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);")
    template = read_po(io.StringIO(pot))
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert len(wanted) > 500
    for code in SHIPPED:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(code) if m.id}
        missing = sorted(wanted - have)
        assert missing == [], f"{code}: run `make messages` and translate: {missing[:20]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_each_catalogue_is_translated_in_its_script(code: str) -> None:
    problems = []
    for m in catalogue(code):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strs = [m.string] if isinstance(m.string, str) else list(m.string)
        if "fuzzy" in m.flags:
            problems.append(f"fuzzy: {ids[0]!r}")
        for s in strs:
            if not s:
                problems.append(f"untranslated: {ids[0]!r}")
            elif s in ids and s not in SAME_EVERYWHERE:
                problems.append(f"same as English: {ids[0]!r}")
            elif not in_script(s, code):
                problems.append(f"not in the language's script: {s!r}")
            elif not any(holders(s) == holders(i) for i in ids):
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    assert problems == [], f"{code}: {len(problems)} problems:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_is_the_committed_one(code: str) -> None:
    """Django reads the .mo files; they must say what the .po files say (`make messages`)."""
    mo = LOCALE / code / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), f"{mo}: run `make messages`"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in catalogue(code):
        if not m.id or not m.string or "fuzzy" in m.flags:
            continue
        if isinstance(m.id, str):
            assert compiled.gettext(m.id) == m.string, f"{code}: stale .mo for {m.id!r}"
