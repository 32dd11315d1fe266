"""From photos to a graded assessment (DESIGN §7): loading, face crop, quality, inference,
measured function and overlays. numpy / OpenCV / PyTorch only, never Qt."""
