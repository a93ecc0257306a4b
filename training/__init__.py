"""Training pipeline: MNIST (+ the user's samples) -> Keras CNN -> ONNX. Never imported by the app."""
