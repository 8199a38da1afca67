"""The backpropagation engine: pure Python and NumPy. Must not import Qt or the layers above
it (bpstudio.maths, bpstudio.document, bpstudio.ui)."""
