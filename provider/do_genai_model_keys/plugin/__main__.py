"""`pulumi-resource-do-genai`: the provider plugin's executable (a console script of the wheel).

The engine starts it with its own address as the last argument and reads the port it prints;
started by hand (no argument), it waits for an engine to attach (PULUMI_DEBUG_PROVIDERS).
`pulumi-resource-do-genai schema` prints the package schema instead.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["schema"]:
        import json

        from .schema import package_schema

        print(json.dumps(package_schema(), indent=2, sort_keys=False))
        return
    try:
        from ..seams.plugin_server import serve
        from .components import Components
        from .provider import KeysProvider
    except ImportError as error:  # an SDK too old for the plugin's server
        from importlib.metadata import version

        from ..seams import NEWEST, OLDEST

        sys.exit(
            f"pulumi-resource-do-genai: the pulumi SDK {version('pulumi')} in this environment "
            f"cannot serve a provider plugin ({error}): `pip install -U pulumi` (the plugin "
            f"is checked with {OLDEST['plugin']} to {NEWEST})"
        )
    from ..api import lifeline
    from .schema import VERSION

    lifeline.install()  # a killed engine leaves no plugin of ours acting on its own

    # The engine's address is the last argument (flags such as --tracing ENDPOINT come first).
    engine = args[-1] if args and not args[-1].startswith("-") else ""
    provider = KeysProvider(engine)
    serve(provider, VERSION, engine, args, Components(), on_attach=provider.attach)


if __name__ == "__main__":
    main()
