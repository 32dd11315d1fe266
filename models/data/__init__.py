"""Data sets (parsing layout, patient layout) and augmentation; numpy + OpenCV only."""
