"""Serve the test provider: `python -m tests.support.oidc_provider CONFIG.json`.

The configuration (JSON): secret_key, database (a path), rsa_private_key (PEM), client_id,
client_secret, redirect_uri, and people: [{username, email, password, first_name, last_name}].
Prints {"url": "http://127.0.0.1:PORT"} once it listens; serves until killed.
"""

from __future__ import annotations

import json
import os
import sys


def main(config_path: str) -> None:
    os.environ["OIDC_PROVIDER_CONFIG"] = config_path
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.support.oidc_provider.settings"
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    config = settings.CONFIG
    call_command("migrate", verbosity=0, interactive=False)
    for person in config["people"]:
        User.objects.create_user(
            username=person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
    Application.objects.create(
        name="Accord",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=config["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        # No consent page: the organisation's own directory vouching for its own service.
        skip_authorization=True,
    )
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    print(json.dumps({"url": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
