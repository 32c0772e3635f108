"""Synthetic organisations at the scales of DESIGN.md (company, province, central SOE) for benchmarks."""
