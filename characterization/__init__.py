"""Characterisation campaigns: specification, sampling, ngspice simulation, storage and BERs.

The only package that runs ngspice. For notebooks and scripts the entry point is
:mod:`rram_ber.api` (``load_campaign``, ``run_campaign``); the modules here are its parts,
mapped in ``ARCHITECTURE.md`` (:mod:`rram_ber.characterization.spec` for the typed campaign,
:mod:`rram_ber.characterization.campaign` for running one, :mod:`rram_ber.characterization.schema`
for the columns of the tables it writes).
"""
