"""The suite reaches nothing outside this machine (pyproject.toml, pytest's addopts): the
platform runs on government intranets without internet, and a test that needs the network
would pass here and fail there."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError

# Taken when the module is collected, before each test's guard goes on.
UNGUARDED_CONNECT = socket.socket.connect

# TEST-NET-1 (RFC 5737): reserved for documentation, routed nowhere.
OUTSIDE = ("192.0.2.1", 80)


def test_an_ordinary_test_cannot_connect_to_an_outside_address():
    # given an ordinary test, whose connections are guarded
    assert socket.socket.connect is not UNGUARDED_CONNECT, "the network guard is off"
    # when it connects to an address outside this machine
    with (
        pytest.raises(SocketConnectBlockedError),
        pytest.warns(UserWarning, match='host "192.0.2.1"'),
    ):
        socket.create_connection(OUTSIDE, timeout=1)
    # then the connection is refused before any packet leaves


def test_an_ordinary_test_may_connect_to_the_loopback():
    # given a server listening on the loopback
    with socket.create_server(("127.0.0.1", 0)) as server:
        # when a test connects to it
        client = socket.create_connection(server.getsockname(), timeout=1)
        # then the connection is made
        with client:
            assert client.getpeername() == server.getsockname()
