"""FAWTARA_BILLER_LINKS: online billers by URL, upload-mode billers by `upload`."""

from __future__ import annotations

import pytest

from fawtara.config import DEFAULT_BILLER_LINKS, parse_biller_links


def test_the_demo_links_call_elec_and_ste_online_and_water_in_upload_mode() -> None:
    online, upload = parse_biller_links(DEFAULT_BILLER_LINKS)
    assert online == {"ELEC": "http://127.0.0.1:8200", "STE": "http://127.0.0.1:8200"}
    assert upload == ("WATER",)


def test_a_biller_in_upload_mode_has_no_address() -> None:
    assert parse_biller_links(" water=upload , ") == ({}, ("WATER",))


@pytest.mark.parametrize("text", ["WATER", "WATER=ftp://x", "=upload", "WATER=uploads"])
def test_a_malformed_link_is_a_startup_error(text: str) -> None:
    with pytest.raises(ValueError, match="FAWTARA_BILLER_LINKS"):
        parse_biller_links(text)
