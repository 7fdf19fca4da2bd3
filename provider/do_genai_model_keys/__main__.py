"""`python -m do_genai_model_keys COMMAND`: the package's commands for people and CI.

- `recover`: settle the key creates an interrupted `pulumi up` left pending
  (`do_genai_model_keys.recovery`);
- `keys`: every key of an account with the stacks that manage it, and what is wrong
  (`do_genai_model_keys.inventory`).
"""

from __future__ import annotations

import sys

COMMANDS = {
    "recover": "settle the key creates an interrupted `pulumi up` left pending",
    "keys": "every key of the account, the stacks that manage it, conflicts and dead secrets",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m do_genai_model_keys COMMAND [options]\n", file=sys.stderr)
        for name, what in COMMANDS.items():
            print(f"  {name:10} {what}", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    if argv[0] == "keys":
        from .commands.inventory import main as keys

        return keys(argv[1:])
    from .commands.recovery import main as recover

    return recover(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
