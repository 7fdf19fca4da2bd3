"""Kept for scripts written before the layout move: `do_genai_model_keys.recovery`'s functions
live in `commands.recovery` (`python -m do_genai_model_keys recover` is the way in)."""

from __future__ import annotations

from .commands.recovery import main, recover_pending_creates, restore_truncated_checkpoint

__all__ = ["main", "recover_pending_creates", "restore_truncated_checkpoint"]
