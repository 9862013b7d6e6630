"""One typed settings object (environment variables with the ``PRESCREEN_`` prefix)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings. Every default works out of the box."""

    model_config = SettingsConfigDict(env_prefix="PRESCREEN_", extra="ignore")

    max_document_bytes: int = Field(
        default=8_000_000,
        ge=1,
        description="Documents larger than this (UTF-8 bytes) are refused with a clear error.",
    )
    chunk_chars: int = Field(
        default=100_000,
        ge=1_000,
        description="Long documents are processed in chunks of about this many characters, "
        "cut at paragraph or line breaks.",
    )
    model_path: str | None = Field(
        default=None,
        description="Calibrated confidence model (.skops) to load instead of the shipped one; "
        "'none' keeps the heuristic confidence.",
    )
    reference_ranges: str | None = Field(
        default=None,
        description="Path to a YAML file of default reference ranges replacing the shipped one.",
    )
    unit_system: Literal["us", "si"] | None = Field(
        default=None,
        description="The lab-unit convention of the site's notes ('us': g/dL, mg/dL; 'si': "
        "g/L, mmol/L, umol/L), for a value written without its unit that two units fit when "
        'the note itself shows no convention ("hemoglobin 7.7" is g/dL at a US site). A value '
        "the convention has no unit for stays as it is. Unset, such values keep no unit and go "
        "to a nurse.",
    )


def get_settings() -> Settings:
    """Read settings from the environment (call once at start-up, pass the object down)."""
    return Settings()
