"""bpstudio: build a small neural network and walk through its training step by step."""

__version__ = "0.1.0"
