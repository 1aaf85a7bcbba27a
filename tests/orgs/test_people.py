from typing import Any

import pytest
from django.test import Client
from tests.conftest import PASSWORD

from accord.cli import main as accord
from accord.orgs.models import User

pytestmark = pytest.mark.django_db


def test_user_add_creates_a_person_with_an_argon2_password(
    capsys: Any, configured_password_hashing: list[str]
) -> None:
    code = accord(
        ["user", "add", "Lead@Lincs-Fire.test", "--org", "E31000025", "--role", "contributor"]
    )
    assert code == 0
    out = capsys.readouterr().out
    user = User.objects.get(email="lead@lincs-fire.test")
    assert user.organisation.code == "E31000025"
    assert user.role == "contributor"
    assert user.password.startswith("argon2")
    password = out.split("Password: ")[1].strip()
    assert user.check_password(password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--org", "E31000025", "--role", "reader"], "not an email address"),
        (["a@b.test", "--org", "NOPE", "--role", "reader"], "no organisation has the code"),
        (["a@b.test", "--org", "RX9", "--role", "reader", "--password", "short"], "password"),
    ],
)
def test_user_add_refuses_bad_input_with_the_reason(
    args: list[str], message: str, capsys: Any
) -> None:
    assert accord(["user", "add", *args]) == 2
    assert message in capsys.readouterr().err
    assert not User.objects.filter(email="a@b.test").exists()


def test_sign_in_with_email_and_password(client: Client, owner: Any) -> None:
    response = client.post(
        "/accounts/sign-in/", {"username": owner.email, "password": PASSWORD}, follow=True
    )
    assert response.context["user"] == owner


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client: Client, owner: Any, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/sign-in/", {"username": owner.email, "password": "wrong"})
    response = client.post("/accounts/sign-in/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_so_without_saying_which_part(client: Client, owner: Any) -> None:
    response = client.post("/accounts/sign-in/", {"username": owner.email, "password": "nope"})
    assert "Enter a correct email address and password" in response.content.decode()
