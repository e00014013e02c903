"""A storage password, in every URL form SQLAlchemy accepts, reaches no file of a run and no
message: user:password@, an empty user, ?password=, percent-encoded, a raw @ that should
have been encoded, given literally or through ${oc.env:...}."""

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from explore_helpers import ROOT

from explore._config import redact, url_secrets

PASSWORD = "pa:ss@w/rd?x"  # every character a URL parser treats specially
ENCODED = quote(PASSWORD, safe="")
HOST = "127.0.0.1:1/explore"  # nothing listens on port 1: the run ends at opening the storage

FORMS = {
    "user and password": f"postgresql+psycopg://explore:{ENCODED}@{HOST}",
    "empty user": f"postgresql+psycopg://:{ENCODED}@{HOST}",
    "query parameter": f"postgresql+psycopg://explore@{HOST}?sslmode=disable&password={ENCODED}",
    "both": f"postgresql+psycopg://explore:{ENCODED}@{HOST}?password={ENCODED}",
    "raw @ (not encoded)": f"postgresql+psycopg://explore:s3cr@t@{HOST}",
}


def secrets_of(url):
    return {PASSWORD, ENCODED} if ENCODED in url else {"s3cr@t"}


@pytest.mark.parametrize("form", FORMS)
def test_redact_hides_the_password_as_written_and_decoded(form):
    url = FORMS[form]
    text = redact(f"could not open {url}: password {PASSWORD} or s3cr@t rejected", url)
    assert not any(s in text for s in secrets_of(url)), text
    assert "127.0.0.1" in redact(url, url) or "raw" in form  # the host stays readable


def test_a_url_without_secrets_is_left_as_it_is():
    for url in ("postgresql+psycopg://explore@db.example:5432/explore", "sqlite:///study.db", "runs/study.journal"):
        assert redact(url, url) == url and url_secrets(url) == []


@pytest.mark.slow
@pytest.mark.parametrize("through_env", [True, False], ids=["oc.env", "literal"])
@pytest.mark.parametrize("form", FORMS)
def test_no_file_and_no_message_holds_the_password(form, through_env, tmp_path):
    url = FORMS[form]
    env = dict(os.environ)
    if through_env:
        env["EXPLORE_TEST_SECRET"] = url.split("://", 1)[1]
        url = "postgresql+psycopg://${oc.env:EXPLORE_TEST_SECRET}"
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "explore", f"study.storage='{url}'", f"hydra.run.dir={run_dir}", "study.n_trials=10"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "study.storage" in errors[0] and "Traceback" not in proc.stderr, proc.stderr
    for secret in secrets_of(FORMS[form]):
        assert secret not in proc.stdout + proc.stderr, (secret, proc.stderr)
        for path in run_dir.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
