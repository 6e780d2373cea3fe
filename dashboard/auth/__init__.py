"""Login, users, roles and scope, lockout, session revocation and audit.

- users.py: the users file (YAML, bcrypt hashes), User, scope_of, scope_for_user
- login.py: login_gate() / logout_button() for app.py (streamlit-authenticator)
- lockout.py, sessions.py: brute-force lockout and the session registry (SQLite ops store)
- audit.py: audit events and the admin's view of them
- demo_users.py: demo accounts, demo mode only

Nothing here is imported eagerly: the CLI uses users.py without loading streamlit.
"""
