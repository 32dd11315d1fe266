"""Data: readers for the parsing and patient data sets, augmentation, synthetic patients."""
