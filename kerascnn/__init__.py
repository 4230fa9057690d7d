"""kerascnn: helpers for a Keras/TensorFlow course on image recognition.

Data flows one way: ``data`` -> ``augment`` -> ``models`` -> ``training`` -> ``plots``.
"""

__version__ = "0.1.0"
