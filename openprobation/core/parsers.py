"""Request parsers for the API (a module of its own: DRF imports parsers while it loads its views,
so this must not import them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class JsonParser(JSONParser):
    """JSON bodies; nesting so deep that the decoder gives up (thousands of ``[``) is a 400 like
    any other malformed body, not a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from None
