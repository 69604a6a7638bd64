"""Bayesian neural networks transferred onto programmed RRAM conductances.

The ex-situ transfer of Dalgaty et al. (Adv. Intell. Syst. 3(8) 2000103, 2021): a Bayesian
network trained in software is programmed once onto resistive memories, each programmed device
being a sample of its weight's posterior. The conductance statistics come from the project's
own SPICE programming (:mod:`rram_ber.characterization.conductance_table`, read as data):

* :mod:`~rram_ber.analysis.bayes.devices`: weights as conductance pairs, the transfer to SET
  compliances and the draw of programmed devices;
* :mod:`~rram_ber.analysis.bayes.torch_vi`: training (PyTorch, the ``train`` extra; imported only
  when training);
* :mod:`~rram_ber.analysis.bayes.network`, :mod:`~rram_ber.analysis.bayes.metrics`: NumPy
  ensembles and their accuracy and uncertainty metrics;
* :mod:`~rram_ber.analysis.bayes.tasks`, :mod:`~rram_ber.analysis.bayes.study`,
  :mod:`~rram_ber.analysis.bayes.plots`: the study behind ``rram-ber bayes``.
"""
