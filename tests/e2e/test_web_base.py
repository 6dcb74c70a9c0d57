"""The shared web base: language, direction, static files, formatting filters."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.web.rendering import environment
from fawtara.wiring import Platform


def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform, InMemoryBank({})))


def test_pages_are_arabic_and_right_to_left_by_default(platform: Platform) -> None:
    page = client(platform).get("/")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert 'href="#main"' in page.text


def test_lang_en_switches_to_left_to_right_and_is_remembered(platform: Platform) -> None:
    web = client(platform)
    english = web.get("/?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text
    assert english.cookies.get("lang") == "en"
    assert '<html lang="en" dir="ltr">' in web.get("/").text
    assert '<html lang="ar" dir="rtl">' in web.get("/?lang=ar").text


def test_an_unknown_language_falls_back_to_arabic(platform: Platform) -> None:
    assert 'dir="rtl"' in client(platform).get("/?lang=xx").text


def test_the_stylesheet_is_served(platform: Platform) -> None:
    css = client(platform).get("/static/fawtara.css")
    assert css.status_code == 200
    assert "Noto Naskh Arabic" in css.text and "@media print" in css.text


def test_filters_use_arabic_indic_digits_in_arabic_and_latin_in_english() -> None:
    template = environment.from_string("{{ 349400 | money }} {{ day | day }} {{ 12 | digits }}")
    arabic = template.render(lang="ar", day=date(2026, 12, 1))
    english = template.render(lang="en", day=date(2026, 12, 1))
    assert arabic == "٣٬٤٩٤٫٠٠ ل.س. ٠١/١٢/٢٠٢٦ ١٢"
    assert english == "3,494.00 SYP 01/12/2026 12"
