"""`python -m do_genai_language_host [-option=value ...] ENGINE_ADDRESS`: serve the engine."""

import sys

from .server import main

sys.exit(main(sys.argv[1:]))
