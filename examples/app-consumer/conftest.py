"""The app's own tests run against the emulator: opt in to its pytest fixtures."""

pytest_plugins = ["do_genai_model_keys.emulator.pytest_plugin"]
