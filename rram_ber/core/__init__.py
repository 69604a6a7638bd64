"""The bottom layer: what every other layer may use and nothing it depends on.

* :mod:`rram_ber.core.validation`: :class:`~rram_ber.core.validation.ParameterError` and the
  range, choice and field checks every parameter record runs in ``__post_init__``;
* :mod:`rram_ber.core.units`: numbers with SPICE scale suffixes;
* :mod:`rram_ber.core.reporting`: the callback type through which long computations report
  progress, so that the engine never imports the command line's progress bar.

Nothing here imports another ``rram_ber`` package.
"""
