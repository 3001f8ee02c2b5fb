"""Forms of test mode: act on a test case as a role, perform a staff task as a role, let its
deadline fall due, consult an institution and answer as it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from forms.fields import long_text
from forms.inspections import OpinionAnswerForm, OpinionRequestForm


class TestCaseActForm(FlaskForm):
    """Fire one action of the definition as one role; the comment goes with it."""

    __test__ = False  # not a pytest class

    role = HiddenField(validators=[InputRequired(), Length(max=20)])
    action = HiddenField(validators=[InputRequired(), Length(max=60)])
    comment = TextAreaField(_l("Comentario"), validators=[long_text()])


class TestCaseTaskForm(FlaskForm):
    """Perform one staff task (verdicts, payment) as one role."""

    __test__ = False  # not a pytest class

    role = HiddenField(validators=[InputRequired(), Length(max=20)])
    task = HiddenField(validators=[InputRequired(), Length(max=40)])


class TestCaseDeadlineForm(FlaskForm):
    """Let the deadline the page showed fall due: its breach action (`key`) in the state
    visit that began at `visit` (ISO time), so the same form sent twice applies it once."""

    __test__ = False  # not a pytest class

    key = HiddenField(validators=[InputRequired(), Length(max=60)])
    visit = HiddenField(validators=[InputRequired(), Length(max=40)])


class TestCaseOpinionRequestForm(OpinionRequestForm):
    """Ask an institution for its opinion as one role (the due day is the institution's)."""

    __test__ = False  # not a pytest class

    role = HiddenField(validators=[InputRequired(), Length(max=20)])
    due_on = None


class TestCaseOpinionAnswerForm(OpinionAnswerForm):
    """Answer as the institution consulted: the meaning and the text; the day is today and
    the document a generated test PDF."""

    __test__ = False  # not a pytest class

    answered_on = None
    document = None
