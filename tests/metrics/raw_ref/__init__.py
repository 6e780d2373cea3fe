"""The channels and live metrics as they were computed before their rollups
(round 3, issues 15 and 19): the product's former modules, unchanged but for
their imports (their `@metric` registers nothing here: see base.py). Kept in
the tests only, as the reference the rollup paths must equal
(tests/metrics/test_channels_live_rollups.py). Each reads the raw facts
(members, orders, live_views, live_invites) through the same scope gate."""
