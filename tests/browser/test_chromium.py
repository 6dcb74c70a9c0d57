"""The browser tests' own footing: Debian's Chromium starts and lays Arabic right to left."""

from __future__ import annotations

from typing import Any


def test_debian_chromium_renders_an_arabic_page_right_to_left(page: Any) -> None:
    page.set_content('<html dir="rtl" lang="ar"><body><p id="p">فوترة</p></body></html>')
    assert page.evaluate("getComputedStyle(document.getElementById('p')).direction") == "rtl"
    assert page.inner_text("#p") == "فوترة"
