"""Field family 'lesions' (being written)."""

from spacy.language import Language
from spacy.tokens import Doc

from .base import AnchorRule


class Extractor:
    def __call__(self, doc: Doc) -> Doc:
        return doc


@Language.factory("prescreen_lesions")
def make(nlp: Language, name: str) -> Extractor:
    return Extractor()


def anchor_rules() -> list[AnchorRule]:
    return []
