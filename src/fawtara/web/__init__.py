"""Server-rendered web pages: the subscriber portal and the operations console.

Arabic first (right to left), English on request; small pages that work on a
phone and on slow links, with no front-end framework.

How to add pages (the console does it this way):

1. Write a router module here, e.g. `web/console.py`, with
   `router = APIRouter(prefix="/console")`. A route takes `request: Request`
   and answers `render(request, "console/page.html", {...})` from
   `fawtara.web.rendering`; the language, the `t` (UI strings),
   and the filters are set there for every page.
2. Put templates under `web/templates/console/`; each starts with
   `{% extends "base.html" %}` and fills `{% block title %}`,
   `{% block nav %}` (optional) and `{% block main %}`.
3. Add UI strings to `web/i18n.py` (one key, an Arabic and an English text)
   and write `{{ t("key") }}` in templates.
4. Filters: `money(amount_minor, currency)`, `day(date)`, `instant(datetime)`
   and `digits(text)` (Arabic-Indic digits in Arabic, Latin in English).
5. Mount the router in `switch/entrypoints/api/app.py` beside the portal's:
   `app.include_router(console.router)`.

Static files (`web/static/`, one CSS file) are served at `/static`.
"""
