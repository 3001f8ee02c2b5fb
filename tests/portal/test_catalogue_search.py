"""The catalogue at /tramites: search without accents, filters, and a constant statement count."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa


def page_text(response) -> str:
    """The words a person reads on the page (tags dropped, entities decoded, spaces single)."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def titles(client, **args) -> list[str]:
    """The titles listed, each as "Title (Authority short name)" as a screen reader reads it."""
    response = client.get("/tramites/", query_string=args)
    assert response.status_code == 200
    links = re.findall(
        r'<h2 class="govuk-heading-m[^"]*">\s*<a class="govuk-link" href="[^"]+">(.*?)</a>',
        response.get_data(as_text=True),
        flags=re.S,
    )
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", link)).split()) for link in links]


ROTULOS = ["Permiso de rótulo (Santa Tecla)", "Permiso de rótulo (Soyapango)"]


@pytest.mark.parametrize("query", ["rotulo", "RÓTULO", "rótulo", "Rotulo", "rotu"])
def test_a_sign_is_found_with_or_without_accents_and_capitals(client, query):
    assert sorted(titles(client, q=query)) == ROTULOS


@pytest.mark.parametrize("query", ["construccion", "Construcción", "constru", "CONSTRUCCION"])
def test_construction_is_found_by_part_of_the_word_without_accents(client, query):
    found = titles(client, q=query)
    assert "Permiso de Construcción (OPAMSS)" in found
    assert "Línea de Construcción (OPAMSS)" in found
    assert not any("rótulo" in title for title in found)


def test_tramite_finds_procedures_whose_texts_say_tramite(client):
    found = titles(client, q="tramite")
    assert found  # summaries and purposes say "trámite"
    assert titles(client, q="trámite") == found


def test_the_search_reads_summary_purpose_and_office_too(client):
    # "tributario" is in the inscripciones' titles; "Historico" only in APLAN's texts.
    assert titles(client, q="historico") == [
        "Licencia de funcionamiento en el Centro Histórico (APLAN Centro Histórico)"
    ]


def test_every_word_must_match(client):
    assert titles(client, q="permiso rotulo soyapango") == ["Permiso de rótulo (Soyapango)"]
    assert titles(client, q="rotulo casino") == []


def test_the_two_inscripciones_are_told_apart_at_a_glance(client):
    response = client.get("/tramites/", query_string={"q": "inscripcion establecimiento"})
    text = page_text(response)
    assert sorted(titles(client, q="inscripcion establecimiento")) == [
        "Inscripción de establecimiento en el Registro Tributario (San Salvador)",
        "Inscripción de establecimiento en el Registro Tributario (Santa Tecla)",
    ]
    assert "Distrito de Santa Tecla Inscripción de establecimiento" in text
    assert "Distrito de San Salvador Inscripción de establecimiento" in text


def test_the_district_filter_lists_what_can_be_filed_there(client):
    found = titles(client, distrito="0511")
    assert "Permiso de rótulo (Santa Tecla)" in found
    assert "Permiso de Construcción (OPAMSS)" in found  # OPAMSS serves Santa Tecla
    assert "Permiso de rótulo (Soyapango)" not in found
    assert not any("San Salvador)" in title for title in found)


def test_every_district_of_the_authorities_table_is_a_choice(client, app_ctx):
    from portal.authorities.services import list_districts

    body = client.get("/tramites/").get_data(as_text=True)
    districts = list_districts()
    assert len(districts) == 14
    for district in districts:
        assert f'<option value="{district.code}">{district.short_name}</option>' in body


def test_a_district_without_the_procedure_online_says_so(client):
    response = client.get("/tramites/", query_string={"distrito": "0602", "evento": "rotulo"})
    assert titles(client, distrito="0602", evento="rotulo") == []
    assert (
        "El distrito de Apopa aún no ofrece en línea ningún trámite que coincida con su búsqueda."
        in page_text(response)
    )
    response = client.get("/tramites/", query_string={"distrito": "0602"})
    assert "El distrito de Apopa aún no ofrece en línea sus propios trámites" in page_text(response)
    response = client.get("/tramites/", query_string={"distrito": "0511"})
    assert "aún no ofrece" not in page_text(response)


def test_the_office_and_life_event_filters(client):
    assert titles(client, oficina="0617") == ["Permiso de rótulo (Soyapango)"]
    opening = titles(client, evento="abrir_negocio")
    assert "Inscripción de establecimiento en el Registro Tributario (Santa Tecla)" in opening
    assert "Recepción de Obra (OPAMSS)" not in opening
    assert titles(client, evento="cerrar") == ["Cierre de establecimiento (Santa Tecla)"]
    assert titles(client, evento="cerrar", q="construccion") == []


def field_errors(body: str) -> dict[str, str]:
    """The message at each field of the search form."""
    found = re.findall(r'<p id="(\w+)-error" class="govuk-error-message">(.*?)</p>', body, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for name, text in found}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"distrito": "614"}, "distrito"),  # a code is text: 614 is not 0614
        ({"distrito": "9999"}, "distrito"),
        ({"oficina": "XX"}, "oficina"),
        ({"evento": "xx"}, "evento"),
        ({"evento": "Renovar"}, "evento"),  # the label is not the value
        ({"distrito": "9999", "q": "rótulo"}, "distrito"),
    ],
)
def test_an_unknown_filter_value_is_an_error_at_the_field_and_the_words_stay(client, args, field):
    response = client.get("/tramites/", query_string=args)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(body) == {field: "Error: Elija una de las opciones."}
    assert "Hay un problema" in page_text(response)
    assert "12 trámites" not in page_text(response)  # nothing listed as if it were applied
    if "q" in args:
        assert f'value="{args["q"]}"' in body


@pytest.mark.parametrize("query", ["ñ", "%", "_", "\\", "!", "7", "{{7*7}}", "  %% ", "a"])
def test_a_search_without_two_letters_is_an_error_at_the_box_and_stays(client, query):
    response = client.get("/tramites/", query_string={"q": query})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(body) == {"q": "Error: Escriba al menos dos letras."}
    assert f'value="{html.escape(query, quote=True)}"' in body
    assert "Licencia de funcionamiento" not in page_text(response)


def test_numbers_still_narrow_a_search_with_words(client):
    assert titles(client, q="rotulo 0617") == []  # codes are not in the texts
    response = client.get("/tramites/", query_string={"q": "ño"})  # two letters: a search
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True)) == {}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("renovar", "Permiso de rótulo (Soyapango)"),
        ("renovar", "Licencia de funcionamiento en el Centro Histórico (APLAN Centro Histórico)"),
        ("abrir negocio", "Inscripción de establecimiento en el Registro Tributario (Santa Tecla)"),
        ("abrir un negocio", "Permiso de rótulo (Santa Tecla)"),
        ("construir", "Recepción de Obra (OPAMSS)"),
    ],
)
def test_a_search_reads_the_life_events_of_each_procedure(client, query, expected):
    assert expected in titles(client, q=query)


def test_both_sign_permits_are_renewed_every_year(client):
    renew = titles(client, evento="renovar")
    assert sorted(renew) == [
        "Licencia de funcionamiento en el Centro Histórico (APLAN Centro Histórico)",
        *ROTULOS,
    ]


def test_english_words_find_english_titles(client):
    client.post("/idioma/en", data={"next": "/tramites/"})
    assert titles(client, q="business licence") == [
        "Operating licence in the Historic Centre (APLAN Centro Histórico)"
    ]
    assert titles(client, q="renew")
    assert titles(client, q="sign permit")


def test_a_search_that_finds_nothing_offers_what_helps(client):
    response = client.get("/tramites/", query_string={"q": "pupuseria"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 trámites" in page_text(response)
    assert 'href="/abrir-mi-negocio"' in body
    for code in ("abrir_negocio", "construir", "rotulo", "renovar", "cerrar"):
        assert f'href="/tramites/?evento={code}"' in body
    assert 'value="pupuseria"' in body
    everything = client.get("/tramites/").get_data(as_text=True)
    assert 'href="/abrir-mi-negocio"' not in everything.split("app-procedure-list")[1]


@contextmanager
def counted_statements(app):
    from portal.extensions import db

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_the_catalogue_issues_a_few_statements_whatever_the_number_of_procedures(app, client):
    with counted_statements(app) as seen:
        response = client.get("/tramites/", query_string={"q": "permiso", "distrito": "0511"})
    assert response.status_code == 200
    with counted_statements(app) as everything:
        assert len(titles(client)) == 12
    assert len(everything) <= 4, everything
    assert len(seen) == len(everything)


def test_a_retired_procedure_leaves_the_catalogue(client, app_ctx):
    from portal.catalogue.models import CatalogueEntry
    from portal.catalogue.services import refresh_entries
    from portal.extensions import db
    from portal.procedures.services import get_procedure, retire

    procedure = get_procedure("0617", "permiso-rotulo")
    [version] = retire(procedure)
    try:
        assert titles(client, q="rotulo") == ["Permiso de rótulo (Santa Tecla)"]
        entries = sa.select(sa.func.count()).where(CatalogueEntry.procedure_id == procedure.id)
        assert db.session.scalar(entries) == 0
    finally:  # the seeded procedures are shared by every test: publish it again
        version.status, version.retired_at = "published", None
        refresh_entries(procedure)
        db.session.commit()
    assert sorted(titles(client, q="rotulo")) == ROTULOS
