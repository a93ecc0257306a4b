"""Training and export (TensorFlow, Keras, tf2onnx). It depends on `core` only and never imports Qt."""
