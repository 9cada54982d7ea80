"""Pure algorithms: numpy and SciPy in, numpy out, no Django (a test enforces it).

`assignment` is the exact judge assigner (min-cost flow, its dual bound and checks);
`aggregation` the score statistics (least-squares judge offsets, the bootstrap,
competition ranking); `voting` the Schulze method for committee votes. The services
feed them arrays read from the models and write their results back; the benchmarks
and simulations that exercise them live beside the management commands
(`judging/management/`).
"""
