"""What the notebooks draw: viz (image grids, 2-D panels), widgets (01's game, 03's playground),
explorer (07/08's latent sliders). Each widget is a pure render(...) plus a build_ui()."""
