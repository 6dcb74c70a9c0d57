"""The Jinja2 environment of the web pages, their filters, and `render`.

Every page gets `lang`, `dir`, `t` (UI strings in the page language) and
`switch_language_url`; the filters format money, dates and instants the way
the SMS does (sms/domain/sms.py): Arabic-Indic digits in Arabic, Latin in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from fawtara.sms.domain.sms import arabic_digits, format_amount, format_date, format_instant
from fawtara.web.i18n import LANGUAGE_COOKIE, language_of, translate

WEB = Path(__file__).resolve().parent
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(WEB / "templates"),
    autoescape=jinja2.select_autoescape(("html",)),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@jinja2.pass_context
def _money(context: Mapping[str, Any], amount_minor: int, currency: str = "SYP") -> str:
    return format_amount(amount_minor, currency, context["lang"])


@jinja2.pass_context
def _day(context: Mapping[str, Any], value: date) -> str:
    return format_date(value, context["lang"])


@jinja2.pass_context
def _instant(context: Mapping[str, Any], value: datetime) -> str:
    return format_instant(value, context["lang"])


@jinja2.pass_context
def _digits(context: Mapping[str, Any], value: object) -> str:
    text = str(value)
    return arabic_digits(text) if context["lang"] == "ar" else text


environment.filters.update(money=_money, day=_day, instant=_instant, digits=_digits)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page `template` in the request's language; `?lang=` is remembered in a cookie."""
    language = language_of(request)
    other = "en" if language == "ar" else "ar"

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    page = environment.get_template(template).render(
        {
            **(context or {}),
            "request": request,
            "lang": language,
            "dir": "rtl" if language == "ar" else "ltr",
            "t": t,
            "switch_language_url": str(request.url.include_query_params(lang=other)),
        }
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE_S, samesite="lax"
        )
    return response


def mount_static(app: FastAPI) -> None:
    """Serve `web/static/` at /static (the one CSS file)."""
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
