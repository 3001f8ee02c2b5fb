"""The English catalogue: complete, in step with the Spanish source, and used by the pages.

The UI is written in Spanish (every msgid is Spanish); English is a translation kept in
translations/en/LC_MESSAGES/messages.po. A new `_()` / `_l()` string in portal/, forms/ or
templates/ fails this suite until it is translated: run `make translations`, fill in the new
msgstr entries and run the suite again.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import url_for

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "translations" / "en" / "LC_MESSAGES"
PO = CATALOGUE_DIR / "messages.po"
MO = CATALOGUE_DIR / "messages.mo"
# The same keywords as `pybabel extract -k _l` in the Makefile: Babel's defaults plus _l.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
# %(name)s and friends: what Python %-formatting and Jinja's {% trans %} substitute.
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")


def _read_catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _strings(message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _ids(message) -> tuple[str, ...]:
    value = message.id
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3]) or "?"


def _extract_source() -> dict[tuple[str, str | None], list[str]]:
    """Every (msgid, context) in the source, as `pybabel extract -F babel.cfg -k _l` finds it."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    # Jinja's extractor skips a template it cannot parse unless told otherwise; here a broken
    # template must fail rather than quietly contribute no messages.
    options_map = {
        pattern: {**options, "silent": "false"}
        if dict(method_map).get(pattern) == "jinja2"
        else options
        for pattern, options in options_map.items()
    }
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = _read_catalogue()
    assert not catalogue.fuzzy, f"{_rel(PO)}: the header is marked fuzzy; remove the flag"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy     {_where(message)}  {message.id!r}")
        if not all(s.strip() for s in _strings(message)):
            problems.append(f"empty     {_where(message)}  {message.id!r}")
    assert not problems, f"{_rel(PO)} has entries to finish:\n  " + "\n  ".join(problems)
    assert len(catalogue) > 100  # the real catalogue, not an empty shell


def test_every_source_string_is_in_the_catalogue():
    catalogue = _read_catalogue()
    source = _extract_source()
    assert len(source) > 100, "extraction found almost nothing: check babel.cfg and the keywords"
    missing = sorted(
        (", ".join(places[:3]), msgid)
        for (msgid, context), places in source.items()
        if catalogue.get(msgid, context) is None
    )
    assert not missing, (
        f"{len(missing)} source string(s) are not in {_rel(PO)}. Run "
        "`make translations` and translate them:\n  "
        + "\n  ".join(f"{where}  {msgid!r}" for where, msgid in missing)
    )


def test_translations_keep_the_placeholders_of_the_spanish_text():
    mismatched = []
    for message in _read_catalogue():
        if not message.id:
            continue
        expected = Counter(PLACEHOLDER.findall(_ids(message)[0]))
        for string in _strings(message):
            if string and Counter(PLACEHOLDER.findall(string)) != expected:
                mismatched.append(
                    f"{_where(message)}  {message.id!r}\n      -> {string!r}\n"
                    f"      expected {sorted(expected.elements())}"
                )
    assert not mismatched, "placeholders differ:\n  " + "\n  ".join(mismatched)


def test_the_compiled_catalogue_matches_the_po_file():
    if not MO.exists():
        pytest.fail(
            f"{_rel(MO)} is missing: run `pybabel compile -d translations -f` "
            "(`make test` and `make run` do it first)"
        )

    def plain(value):  # read_mo gives a plural message's forms as lists
        return tuple(value) if isinstance(value, list) else value

    with MO.open("rb") as handle:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(handle) if m.id}
    expected = {plain(m.id): plain(m.string) for m in _read_catalogue() if m.id}
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, (
        f"{_rel(MO)} is out of date with the .po file: run "
        "`pybabel compile -d translations -f`. Differences:\n  " + "\n  ".join(stale[:20])
    )


def test_english_pages_use_the_catalogue_in_templates_forms_and_scripts(app, client):
    with app.test_request_context():
        login = url_for("accounts.login")
    client.post("/idioma/en", data={"next": "/"})
    page = client.get(login).get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Sign in to your account" in page  # a template string
    assert "Email address" in page and "Password" in page  # lazy form labels (_l)
    assert "Skip to main content" in page and "Create an account" in page  # the layout
    assert "Your password is visible" in page  # GOV.UK Frontend's JavaScript texts
    assert "Contraseña" not in page and "Entrar a su cuenta" not in page
    errors = client.post(login, data={"email": "", "password": ""}).get_data(as_text=True)
    assert "There is a problem" in errors and "Enter your email address." in errors
