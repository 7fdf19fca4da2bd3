"""`python -m do_genai_model_keys COMMAND` (internal): `recover` and `keys` (the inventory)."""
