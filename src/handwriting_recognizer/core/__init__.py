"""The contract both sides share, as pure Python: no Qt, no TensorFlow (import-linter holds it)."""
