"""Receipts printed at the station: signed with the counter's key, rendered by the switch's PDF.

The counter's key pair is made when the counter is registered
(`bootstrap_counters.issue_counter_keys`); the station reads

    KEYS_DIR/counters/CODE.key.pem   the counter's Ed25519 private key (PEM, mode 0600)

and the switch's certificate over its public key from the snapshot's counter
(`certificate`) or, installed beside the key, from KEYS_DIR/counters/CODE.cert.
Anyone with the switch's public key verifies the receipt offline (`fawtara
receipt verify`), whether it was printed online or pending sync.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fawtara.kernel.errors import SigningKeyMissing
from fawtara.receipts.adapters.pdf import receipt_html, render_receipt_pdf
from fawtara.receipts.adapters.signing import ReceiptSigner
from fawtara.receipts.domain.receipts import Receipt


def counter_key_paths(keys_dir: Path, counter_code: str) -> tuple[Path, Path]:
    folder = keys_dir / "counters"
    return folder / f"{counter_code}.key.pem", folder / f"{counter_code}.cert"


class ReceiptPrinter:
    def __init__(
        self, keys_dir: Path, counter_code: str, counter: Callable[[], dict[str, Any]]
    ) -> None:
        self.key_path, self.certificate_path = counter_key_paths(keys_dir, counter_code)
        self._counter = counter
        self._signer: ReceiptSigner | None = None

    def _certificate(self) -> str | None:
        if self.certificate_path.exists():
            return self.certificate_path.read_text().strip()
        certificate = self._counter().get("certificate")
        return str(certificate) if certificate else None

    def signer(self) -> ReceiptSigner:
        if self._signer is None:
            certificate = self._certificate()
            if not self.key_path.exists() or certificate is None:
                raise SigningKeyMissing(
                    f"no counter key at {self.key_path} or no certificate for it; the switch "
                    "issues both when the counter is registered",
                    "مفتاح توقيع الإيصالات غير موجود في هذه المحطة",
                )
            self._signer = ReceiptSigner.for_counter(self.key_path.read_bytes(), certificate)
        return self._signer

    def qr_text(self, receipt: Receipt) -> str:
        return self.signer().sign(receipt)

    def html(self, receipt: Receipt) -> str:
        return receipt_html(receipt, self.qr_text(receipt))

    def pdf(self, receipt: Receipt) -> bytes:
        return render_receipt_pdf(receipt, self.qr_text(receipt))
