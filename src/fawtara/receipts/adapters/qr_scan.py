"""The QR text of a receipt read back from a photo (PNG, JPEG) or a receipt PDF.

Uses two Debian tools rather than Python imaging libraries: `pdftoppm`
(poppler-utils) rasterises the PDF's first page and `zbarimg` (zbar-tools)
decodes the QR code. A missing tool is ToolMissing naming its package.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from fawtara.kernel import limits
from fawtara.kernel.errors import ReceiptInvalid, ReceiptUnreadable, ToolMissing
from fawtara.receipts.domain.receipts import QR_PREFIX

PDF_MAGIC = b"%PDF"
IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff")  # PNG, JPEG
# Tried in turn: 200 dpi reads the usual receipt; a dense code (many bills) may need more.
RASTER_DPIS = (200, 400)
TOOL_TIMEOUT_S = 60
PACKAGES = {"pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(
            f"{name} is not installed; install the Debian package {PACKAGES[name]} "
            f"(apt-get install {PACKAGES[name]})",
            f"الأداة {name} غير مثبتة؛ ثبّت الحزمة {PACKAGES[name]}",
        )
    return path


def _decode_image(image: Path) -> str | None:
    """The first receipt QR text zbarimg finds in the image, or None."""
    done = subprocess.run(
        [_tool("zbarimg"), "--raw", "-q", str(image)],
        capture_output=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    # zbarimg exits 4 when it finds no symbol; every symbol found is one line.
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.strip().startswith(QR_PREFIX + "."):
            return line.strip()
    return None


def _decode_pdf(pdf: Path) -> str | None:
    with tempfile.TemporaryDirectory(prefix="fawtara-receipt-") as scratch:
        for dpi in RASTER_DPIS:
            stem = Path(scratch) / f"page-{dpi}"
            first_page = ("-f", "1", "-l", "1", "-singlefile")
            subprocess.run(
                [_tool("pdftoppm"), "-r", str(dpi), "-png", *first_page, str(pdf), str(stem)],
                capture_output=True,
                timeout=TOOL_TIMEOUT_S,
                check=False,
            )
            image = stem.with_suffix(".png")
            if not image.exists():
                raise ReceiptUnreadable(f"{pdf} could not be read as a PDF")
            found = _decode_image(image)
            if found is not None:
                return found
    return None


def qr_text_from_file(path: Path) -> str:
    """The receipt QR text in a PDF or image file; ReceiptUnreadable if there is none."""
    if not path.is_file():
        raise ReceiptInvalid(f"{path} is neither a receipt text ({QR_PREFIX}.…) nor a file")
    if path.stat().st_size > limits.receipt_file_bytes_max:
        raise ReceiptUnreadable(f"{path} is larger than {limits.receipt_file_bytes_max} bytes")
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(PDF_MAGIC):
        found = _decode_pdf(path)
    elif head.startswith(IMAGE_MAGICS):
        found = _decode_image(path)
    else:
        raise ReceiptUnreadable(f"{path} is neither a PDF nor a PNG or JPEG image")
    if found is None:
        raise ReceiptUnreadable(f"no Fawtara receipt QR code found in {path}")
    return found
