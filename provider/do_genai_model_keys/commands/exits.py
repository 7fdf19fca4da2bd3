"""The commands' exit codes, one table for `recover`, `keys`, `rotation` and `move-to-plugin`
(the README's section on each command says which of them it uses)."""

from __future__ import annotations

OK = 0
"""Done; for `keys`, no conflict and no dead secret."""
TROUBLE = 1
"""`keys`: a key two stacks manage, or a dead secret (what breaks apps). The others: the command
could not do its work (a state it cannot move or settle; the message says why)."""
USAGE = 2
"""A usage error (argparse's own code), or a state file `move-to-plugin` cannot read."""
AMBIGUOUS = 3
"""`recover`: something stays pending for a person to decide (several candidate keys, another
account's create, or a backend it cannot write without dropping other pending operations)."""
UNREADABLE = 4
"""`keys`, `rotation`: the account, the backend or a stack could not be read (what could be read
is still reported)."""
BUSY = 4
"""`recover`: a process of the run it would settle is still alive, or the stack is locked."""
