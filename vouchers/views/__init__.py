"""Voucher pages (function views): `bureau` for the bureau's pages, `institution` for an
institution's, `documents` for the PDFs. URLs are in vouchers/urls.py."""
