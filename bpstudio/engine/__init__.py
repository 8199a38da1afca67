"""The backpropagation engine: pure Python and NumPy. Must not import Qt or bpstudio.ui."""
