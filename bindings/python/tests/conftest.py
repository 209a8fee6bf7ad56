"""Where the tests find their peer: tests/integration/test_python.sh runs
them on host A with an echo_server.py on host B and says where, here."""

import os

import pytest

import machnet


def _env(name):
    v = os.environ.get(name)
    if v is None:
        pytest.exit("%s is not set: run tests/integration/test_python.sh" %
                    name, returncode=2)
    return v


@pytest.fixture(scope="session")
def peer():
    return {"local": _env("MACHNET_TEST_LOCAL"),
            "remote": _env("MACHNET_TEST_REMOTE"),
            "port": int(_env("MACHNET_TEST_PORT")),
            "closed_port": int(_env("MACHNET_TEST_CLOSED_PORT"))}


@pytest.fixture
def ch():
    with machnet.Channel() as c:
        yield c


@pytest.fixture
def flow(ch, peer):
    return ch.connect(peer["local"], peer["remote"], peer["port"])
