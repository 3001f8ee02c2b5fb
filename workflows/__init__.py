"""Workflow engine of the Ventanilla Única AMSS: procedure definitions as data, decided purely."""

from workflows.engine import Outcome, TransitionNotAllowed, available_actions, fire
from workflows.facts import Facts, Reason
from workflows.loader import load, load_file
from workflows.model import Definition
from workflows.problems import InvalidDefinition, Problem
from workflows.tasks import STAFF_TASKS, action_of_kind, allowed_tasks, may_act
from workflows.text import Text

__all__ = [
    "STAFF_TASKS",
    "Definition",
    "Facts",
    "InvalidDefinition",
    "Outcome",
    "Problem",
    "Reason",
    "Text",
    "TransitionNotAllowed",
    "action_of_kind",
    "allowed_tasks",
    "available_actions",
    "fire",
    "load",
    "load_file",
    "may_act",
]
