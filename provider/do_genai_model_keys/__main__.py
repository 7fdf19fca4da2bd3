"""`python -m do_genai_model_keys COMMAND`: the package's commands for people and CI.

- `recover`: settle the key creates an interrupted `pulumi up` left pending
  (`commands.recovery`);
- `keys`: every key of an account with the stacks that manage it, and what is wrong
  (`commands.inventory`);
- `rotation`: every rotating key of a backend, at a glance (`commands.rotation_status`);
- `move-to-plugin`: a stack's keys moved from the dynamic resources to the provider plugin
  (`commands.move_to_plugin`).
"""

from __future__ import annotations

import sys

COMMANDS = {
    "recover": "settle the key creates an interrupted `pulumi up` left pending",
    "keys": "every key of the account, the stacks that manage it, conflicts and dead secrets",
    "rotation": "every rotating key: active slot, when the previous secret dies, next rotation",
    "move-to-plugin": "rewrite an exported state: dynamic keys become the do-genai plugin's",
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
    if argv[0] == "rotation":
        from .commands.rotation_status import main as rotation

        return rotation(argv[1:])
    if argv[0] == "move-to-plugin":
        from .commands.move_to_plugin import main as move

        return move(argv[1:])
    from .commands.recovery import main as recover

    return recover(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
