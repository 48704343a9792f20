"""The base of every model: an nn.Module that can read the parameter names older checkpoints used."""
from __future__ import annotations

from torch import nn


class Model(nn.Module):
    def upgrade_state_dict(self, state: dict) -> dict:
        """``state`` with names from before a model's layout changed mapped to today's (default: as is)."""
        return state
