"""What a receipt says and how it is encoded in its QR text."""
