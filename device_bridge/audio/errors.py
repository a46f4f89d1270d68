"""Exceptions of the audio assembly. Messages are shown to editors, hence Vietnamese."""


class AudioError(Exception):
    """Assembly could not produce broadcast audio."""


class AudioDecodeError(AudioError):
    """Input bytes are not decodable audio (corrupt jingle, broken engine output)."""
