"""A minimal app for AppTest: the login gate, then one line naming the user.

AppTest sends no HTTP request, so `st.context.cookies` is always empty there.
When TEST_AUTH_COOKIE is set, this script stands in for the browser by making
Streamlit's cookie view return that raw cookie (the library reads it from
there); our code and the library run unchanged.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

raw_cookie = os.environ.get("TEST_AUTH_COOKIE")
_proxy = type(st.context)
if "_test_original_cookies" not in vars(_proxy):
    _proxy._test_original_cookies = _proxy.cookies
if raw_cookie:  # AppTest runs in the test process: restore the real view when not asked
    from dashboard.auth.settings import COOKIE_NAME
    _proxy.cookies = property(lambda self: {COOKIE_NAME: raw_cookie})
else:
    _proxy.cookies = _proxy._test_original_cookies

# TEST_CLIENT_IP stands in for the client's address (AppTest has no request).
client_ip = os.environ.get("TEST_CLIENT_IP")
if "_test_original_ip" not in vars(_proxy):
    _proxy._test_original_ip = _proxy.ip_address
_proxy.ip_address = property(lambda self: client_ip) if client_ip else _proxy._test_original_ip

from dashboard.auth.login import login_gate, logout_button  # noqa: E402

user = login_gate()
if user is None:
    st.stop()
logout_button()
st.markdown(f"signed-in:{user.username}:{user.role}:{user.scope.key()}")
