"""`pulumi-resource-do-genai`: the provider plugin's executable (a console script of the wheel).

The engine starts it with its own address as the last argument and reads the port it prints.
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
    from .provider import KeysProvider
    from .schema import VERSION
    from .serving import serve

    engine = next((a for a in args if not a.startswith("-")), "")
    serve(KeysProvider(engine), VERSION, engine, args)


if __name__ == "__main__":
    main()
