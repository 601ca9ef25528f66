"""The service's date and time formats for this language: the same in every language (see
``openprobation.formats.shared``)."""

from openprobation.formats.shared import *  # noqa: F403 - Django reads the names from this module
