"""Signed receipts and Arabic PDFs (docs/RECEIPTS.md).

signing   the switch's Ed25519 key pair on disk, counter keys and certificates,
          signing a receipt into its QR text and verifying that text offline
pdf       receipts (80 mm roll) and bills (A4) as PDF with WeasyPrint, Arabic RTL
qr_scan   reading the QR text back from a photo or a PDF (zbarimg, pdftoppm)
"""
