"""`python -m do_genai_language_host [-option=value ...] ENGINE_ADDRESS`: serve the engine."""

import sys

from .quick_start import bare_sdk_packages

bare_sdk_packages()  # before the server imports the SDK's protocol

from .server import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
