"""docs/ERRORS.md lists every error code the code can return, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from fawtara.kernel.errors import all_error_classes

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ERRORS.md"


def test_the_error_table_matches_the_error_tree() -> None:
    table = re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", DOCS.read_text(encoding="utf-8"), re.M)
    documented = {code: int(status) for code, status in table}
    in_code = {cls.code: cls.http_status for cls in all_error_classes()}
    assert documented == in_code
