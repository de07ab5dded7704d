import pytest
from django.core.exceptions import ImproperlyConfigured

from secretariat.env import env_bool, env_int, env_list, env_secret


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False), ("No", False)])
def test_env_bool_reads_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_bool_refuses_a_typo_instead_of_guessing(monkeypatch):
    monkeypatch.setenv("SECRETARIAT_REQUIRE_2FA", "ture")
    with pytest.raises(ImproperlyConfigured, match="SECRETARIAT_REQUIRE_2FA"):
        env_bool("SECRETARIAT_REQUIRE_2FA", True)


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", True) is True


def test_env_int_refuses_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "thirty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_NUMBER", 30)
    monkeypatch.setenv("X_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUMBER", 30, minimum=1)
    monkeypatch.setenv("X_NUMBER", "45")
    assert env_int("X_NUMBER", 30, minimum=1) == 45


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_env_secret_prefers_the_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert env_secret("X_SECRET") == "from-file"


def test_env_secret_unreadable_file_is_loud(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_secret("X_SECRET")
