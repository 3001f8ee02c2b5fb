"""Workflow engine of the Ventanilla Única AMSS: procedure definitions as data, decided purely."""

from workflows.engine import Outcome, TransitionNotAllowed, available_actions, fire
from workflows.facts import Facts, Reason
from workflows.loader import load, load_file
from workflows.model import Definition
from workflows.problems import InvalidDefinition, Problem
from workflows.text import Text

__all__ = [
    "Definition",
    "Facts",
    "InvalidDefinition",
    "Outcome",
    "Problem",
    "Reason",
    "Text",
    "TransitionNotAllowed",
    "available_actions",
    "fire",
    "load",
    "load_file",
]
