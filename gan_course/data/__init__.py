"""Datasets: the embedded images (manifest-checked) and the device-resident batch sampler."""
from .images import (CLASSES, DATASETS, DIGIT_CLASSES, FASHION_CLASSES, load,
                     load_fashion_mnist, load_mnist5k)
from .manifest import DataFileError, check_all, verified_path
from .sampler import DeviceBatches, to_unit_range

__all__ = ["CLASSES", "DATASETS", "DIGIT_CLASSES", "FASHION_CLASSES", "DataFileError",
           "DeviceBatches", "check_all", "load", "load_fashion_mnist", "load_mnist5k",
           "to_unit_range", "verified_path"]
