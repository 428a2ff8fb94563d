"""The networks and what is done with a trained one: nets (architectures by name), sampling
(sample, conditioned), pretrained (the shipped generators, loading and exporting checkpoints)."""
