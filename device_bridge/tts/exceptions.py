"""Errors of the speech pipeline. ``str(err)`` is shown to editors, so it is Vietnamese."""


class SpeechError(Exception):
    """Base class: speech could not be produced."""


class SpeechInputError(SpeechError):
    """The text itself cannot be spoken (empty, too long, nothing readable)."""


class EngineConfigurationError(SpeechError):
    """A settings mistake (unknown engine, bad option). Never retried, never a fallback."""


class EngineUnavailable(SpeechError):
    """The engine could not answer now (network, 429, 5xx, timeout): worth a fallback/retry."""

    def __init__(self, message: str, *, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body[:500]


class EngineProtocolError(EngineUnavailable):
    """The service answered 200 but not with what its protocol promises (no audio)."""


class EngineSynthesisError(SpeechError):
    """A local engine failed to synthesise (library error)."""
