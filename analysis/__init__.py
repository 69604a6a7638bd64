"""Analysis of finished campaigns: reports, figures, summaries and the network evaluator.

Reads the tables a campaign wrote (never the simulator). For notebooks and scripts the
entry point is :mod:`rram_ber.api` (``ber_table``, ``evaluate_accuracy``, ``write_report``);
the modules here are its parts:

* :mod:`analysis.campaign_data`: a campaign output directory loaded as DataFrames;
* :mod:`analysis.summaries`, :mod:`analysis.headline`: derived tables (read failures, shmoo,
  operating windows, operating points against spec limits, delay and energy statistics);
* :mod:`analysis.figures`, :mod:`analysis.report`: figures and the HTML/Markdown report;
* :mod:`analysis.accuracy`, :mod:`analysis.bnn`: accuracy of binary/ternary networks under
  the measured error rates.
"""
