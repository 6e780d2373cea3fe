"""One catalog module per area: MESSAGES = {key: (zh, en)}."""
