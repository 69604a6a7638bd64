"""Analysis of finished campaigns: reports, figures, summaries and the network evaluator.

Reads the tables a campaign wrote (never the simulator). For notebooks and scripts the
entry point is :mod:`rram_ber.api` (``ber_table``, ``evaluate_accuracy``, ``write_report``);
the modules here are its parts:

* :mod:`rram_ber.analysis.campaign_data`: a campaign output directory loaded as DataFrames;
* :mod:`rram_ber.analysis.summaries`, :mod:`rram_ber.analysis.headline`: derived tables (read
  failures, shmoo, operating windows, operating points against spec limits, delay and energy
  statistics);
* :mod:`rram_ber.analysis.figures`, :mod:`rram_ber.analysis.report`: figures and the HTML/Markdown
  report;
* :mod:`rram_ber.analysis.accuracy`, :mod:`rram_ber.analysis.bnn`: accuracy of binary/ternary
  networks under the measured error rates.
"""
