"""Accounts: applicants and staff, sign-up, sign-in, roles scoped to an authority."""
