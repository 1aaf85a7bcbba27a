"""A tiny OpenID Connect provider (django-oauth-toolkit) for the single sign-on tests.

A separate Django project, run in its own process by `tests/orgs/test_sso_flow.py`:
`python -m tests.support.oidc_provider CONFIG.json` migrates its own SQLite database, registers
one confidential client and the people in the configuration, prints the address it listens on
as one JSON line, and serves on 127.0.0.1 until it is stopped.
"""
