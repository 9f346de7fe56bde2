"""sophon-conformance: a conformance harness for the event interfaces of Sophon face-recognition boxes."""

__version__ = "0.1.0"
