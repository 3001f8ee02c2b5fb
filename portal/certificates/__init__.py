"""Issued documents (receipts, certificates) and their public verification."""
