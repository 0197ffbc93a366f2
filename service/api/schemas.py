"""Wire formats: marshmallow schemas for every request the API reads and response it writes."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as _ValidationError

from service.registry.entities import KINDS

NAME_LENGTH = validate.Length(min=1, max=500)
# Kinds a screened name may carry; entries of other kinds are then left out.
SCREEN_KINDS = ("person", "organization", "vessel", "aircraft")


class StrictSchema(Schema):
    """Refuses fields it does not know, so a typo is reported rather than ignored."""

    class Meta:
        unknown = RAISE


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class EntitySearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=500))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    designated = fields.Boolean(load_default=None)
    program = fields.String(load_default=None, validate=validate.Length(min=1, max=50))


class EntityCreate(StrictSchema):
    id = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$",
                                                error="Use lowercase letters, digits and -."))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = fields.String(required=True, validate=NAME_LENGTH)
    summary = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=5000))
    names = fields.List(fields.String(validate=NAME_LENGTH), load_default=list,
                        validate=validate.Length(max=200))


class EntityUpdate(StrictSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    name = fields.String(validate=NAME_LENGTH)
    summary = fields.String(allow_none=True, validate=validate.Length(max=5000))
    names = fields.List(fields.String(validate=NAME_LENGTH), validate=validate.Length(max=200))

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise _ValidationError("Give at least one field to change.", "_schema")


class NameOut(Schema):
    name = fields.String()
    source = fields.String(allow_none=True)


class PassageOut(Schema):
    entity_id = fields.String()
    document_id = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()
    sentence = fields.String()


class LinkOut(Schema):
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    status = fields.String()
    score = fields.Float(allow_none=True)
    matched_name = fields.String(allow_none=True)
    via = fields.Method("_via")

    def _via(self, link: Any) -> dict[str, str] | None:
        if not link.via_identifier:
            return None
        return {"list": link.via_list_id, "list_key": link.via_list_key,
                "identifier": link.via_identifier}


class EntitySummaryOut(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    summary = fields.String(allow_none=True)


class DocumentSummaryOut(Schema):
    id = fields.String()
    title = fields.String()
    published_on = fields.Date(allow_none=True)
    sha256 = fields.String()
    source = fields.String(allow_none=True)
    length = fields.Function(lambda document: len(document.text))


class DocumentOut(DocumentSummaryOut):
    text = fields.String()


# Version ids are 32-bit integer columns (PostgreSQL `integer`): a larger number names no
# version and would overflow the database driver (a 500) instead of being a 422.
VERSION_ID = validate.Range(min=1, max=2**31 - 1)


class EntrySearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=500))
    program = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    version = fields.Integer(load_default=None, validate=VERSION_ID)


class VersionArgs(StrictSchema):
    version = fields.Integer(load_default=None, validate=VERSION_ID)


class DiffArgs(StrictSchema):
    from_ = fields.Integer(data_key="from", load_default=None, validate=VERSION_ID)
    to = fields.Integer(load_default=None, validate=VERSION_ID)
    details = fields.Boolean(load_default=True)


class LinkDecision(StrictSchema):
    list = fields.String(required=True, validate=validate.Length(min=1, max=50))
    list_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "rejected")))


class EnrichmentOut(Schema):
    id = fields.Integer()
    source = fields.String()
    query = fields.String()
    requested_at = fields.DateTime()
    http_status = fields.Integer(allow_none=True)
    hits = fields.List(fields.Dict())
    body_sha256 = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class ScreenName(StrictSchema):
    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    name = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SCREEN_KINDS))


class ScreenRequest(StrictSchema):
    names = fields.List(fields.Nested(ScreenName), required=True,
                        validate=validate.Length(min=1, max=1000))
    lists = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                        load_default=None, allow_none=True, validate=validate.Length(max=20))
    threshold = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=1))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))


class ScreenArgs(StrictSchema):
    name = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, validate=validate.OneOf(SCREEN_KINDS))
    lists = fields.String(load_default=None, validate=validate.Length(max=500))
    threshold = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))


class CompareRequest(StrictSchema):
    name1 = fields.String(required=True, validate=NAME_LENGTH)
    name2 = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SCREEN_KINDS))
    threshold = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=1))


# --- documents cross-reference ----------------------------------------------------------------


class DocumentCreate(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    text = fields.String(required=True, validate=validate.Length(min=1))
    published_on = fields.Date(load_default=None, allow_none=True)
    source_url = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"},
                            validate=validate.Length(max=1000))


class DocumentUploadArgs(StrictSchema):
    """The fields sent beside an uploaded file or a text body (query string or form)."""

    title = fields.String(load_default=None, validate=validate.Length(min=1, max=1000))
    published_on = fields.Date(load_default=None)
    source_url = fields.URL(load_default=None, schemes={"http", "https"},
                            validate=validate.Length(max=1000))


class DocumentReadArgs(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "html")))


class ClaimArgs(PageArgs):
    status = fields.String(load_default=None,
                           validate=validate.OneOf(("agrees", "conflicts", "unknown")))
    claim = fields.String(load_default=None,
                          validate=validate.OneOf(("designated", "not_designated")))
    document_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    entity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class SuggestionAccept(StrictSchema):
    id = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$",
                                                error="Use lowercase letters, digits and -."))
    name = fields.String(validate=NAME_LENGTH)
    kind = fields.String(validate=validate.OneOf(KINDS))
