"""Shared by every test, doctests of the package included: headless matplotlib, and each
figure closed after its test so that no run keeps dozens of figures open."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")
