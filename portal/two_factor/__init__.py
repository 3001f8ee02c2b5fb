"""Staff sign-in with a second factor: TOTP (RFC 6238) and single-use recovery codes."""
