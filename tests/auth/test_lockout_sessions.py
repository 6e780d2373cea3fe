"""Lockout and session registry against a real SQLite ops store, with the clock passed in."""


from dashboard.auth import lockout, sessions

T0 = 1_800_000_000.0  # any fixed epoch second


def fail(name, now):
    attempt = lockout.begin_attempt(name, now=now)
    assert attempt.allowed
    return lockout.failed(attempt, now=now)


def test_five_failures_in_fifteen_minutes_lock_for_fifteen_minutes(auth_env):
    for i in range(4):
        assert fail("alice", T0 + i * 200) is None  # 4 failures over 10 minutes
    until = fail("alice", T0 + 800)  # 5th within 15 minutes of the first
    assert until == T0 + 800 + 900
    refused = lockout.begin_attempt("alice", now=T0 + 801)
    assert not refused.allowed and refused.locked_until == until
    assert refused.minutes_left(now=T0 + 801) == 15
    assert not lockout.begin_attempt("ALICE ", now=until - 1).allowed  # same name however typed
    after = lockout.begin_attempt("alice", now=until)
    assert after.allowed  # the lock is over and the count starts afresh
    assert lockout.failed(after, now=until) is None


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(auth_env):
    for i in range(4):
        fail("bob", T0 + i)
    assert fail("bob", T0 + 901) is None  # the first failure has left the window (4 in it now)
    assert lockout.begin_attempt("bob", now=T0 + 902).allowed


def test_success_resets_the_count(auth_env):
    for i in range(4):
        fail("carol", T0 + i)
    ok = lockout.begin_attempt("carol", now=T0 + 10)
    lockout.succeeded(ok)
    for i in range(4):
        assert fail("carol", T0 + 20 + i) is None


def test_parallel_attempts_cannot_exceed_five_guesses(auth_env):
    # Five attempts in flight (reserved, password not yet checked): the sixth is refused.
    in_flight = [lockout.begin_attempt("dave", now=T0) for _ in range(5)]
    assert all(a.allowed for a in in_flight)
    assert not lockout.begin_attempt("dave", now=T0 + 1).allowed


def test_unknown_names_and_long_names_are_locked_too(auth_env):
    name = "x" * 500
    for i in range(5):
        fail(name, T0 + i)
    assert not lockout.begin_attempt(name, now=T0 + 10).allowed
    assert lockout.key(name) == "x" * 64


def test_session_registry(auth_env):
    s = sessions.register("alice", T0 + 3600, issued_at=T0)
    assert sessions.lookup("alice", T0 + 3600) == s
    assert sessions.lookup("alice", T0 + 3600.000001) is None  # a different token
    assert sessions.why_invalid(s, valid_since=0, now=T0 + 1) is None
    assert sessions.why_invalid(s, valid_since=T0 + 0.5, now=T0 + 1) == "revoked"
    assert sessions.why_invalid(s, valid_since=0, now=T0 + 3600) == "expired"
    sessions.revoke(s, "logout")
    assert sessions.lookup("alice", T0 + 3600) is None
    assert sessions.why_invalid(s, valid_since=0, now=T0 + 1) == "revoked"
