"""The console's forms: their fields' checks (the CSRF token is checked before every POST)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from service.reviews import DECISIONS
from service.terms import MAX_LIST_ID_LENGTH, MAX_NAME_LENGTH


class LoginForm(FlaskForm):
    key = PasswordField("API key", validators=[DataRequired(message="Enter your API key."),
                                               Length(max=500)])


class ReviewForm(FlaskForm):
    name = HiddenField(validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)])
    list = HiddenField(validators=[DataRequired(), Length(max=MAX_LIST_ID_LENGTH)])
    list_key = HiddenField(validators=[DataRequired(), Length(max=100)])
    decision = HiddenField(validators=[AnyOf(DECISIONS)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
    back = HiddenField(validators=[Optional(), Length(max=2000)])


class LinkForm(FlaskForm):
    list = HiddenField(validators=[DataRequired(), Length(max=MAX_LIST_ID_LENGTH)])
    list_key = HiddenField(validators=[DataRequired(), Length(max=100)])
    status = HiddenField(validators=[AnyOf(("confirmed", "rejected"))])


class JobForm(FlaskForm):
    file = FileField("CSV file of names", validators=[
        FileRequired(message="Choose a CSV file."),
        FileAllowed(["csv", "txt"], message="Upload a .csv file.")])


class DocumentForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=1000)])
    text = TextAreaField("Text", validators=[DataRequired()])
