"""Scoring generators: classifier (the course's small feature network), metrics (FID, KID, IS,
PRDC and the sanity checks, computed by torchmetrics), manifold (precision/recall/density/coverage
on k-NN balls), digits (the MNIST-digit experiments of 04)."""
