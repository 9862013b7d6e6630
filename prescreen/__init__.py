"""prescreen: NLP-assisted chart abstraction for clinical-trial pre-screening.

The code lives in the top-level folders of the repository (``extraction/``, ``rules/``,
``models/``, ``api/``, ``evaluation/``), installed as ``prescreen.<folder>``.
"""

__version__ = "0.1.0"
