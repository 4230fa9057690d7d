"""Every figure the course draws, one module per topic.

* :mod:`~kerascnn.plots.images`: images, the data set and predictions on them
  (``show_images``, ``plot_class_examples``, ``plot_class_balance``,
  ``plot_pixel_histogram``, ``plot_confident_mistakes``, ``plot_confusion_matrix``,
  ``plot_softmax``).
* :mod:`~kerascnn.plots.curves`: how a model learns and fits (``plot_history``,
  ``plot_metric_curves``, ``plot_loss_steps``, ``plot_cross_entropy``,
  ``plot_decision_boundary``).
* :mod:`~kerascnn.plots.network`: inside a network (``plot_activations``,
  ``plot_filters``, ``plot_filter_responses``, ``plot_feature_maps``,
  ``plot_gradient_norms``).
* :mod:`~kerascnn.plots.comparison`: models side by side (``plot_model_comparison``)
  and an experiment's spread over seeds (``plot_seed_spread``).
* :mod:`~kerascnn.plots.augmentation`: what augmentation does to an image
  (``plot_ops_grid``, ``plot_randaugment_samples``, ``plot_augmentation_draws``).
* ``_figure`` (private): the one way figures are made (``plt.subplots``), the grid of
  panels, and the finishing of axes and figures that every module shares.

Every function returns a ``matplotlib.figure.Figure`` made with pyplot: a notebook shows
it, a script can ``fig.savefig(...)`` it. Every figure has a title, labelled axes and,
where classes appear, class names. Nothing here calls ``plt.show``, and nothing runs an
analysis: a figure draws what it is handed (e.g. ``plot_history(history,
diagnoses=diagnosis.diagnose(history))``).

In Jupyter, assign the result (``fig = plots.plot_history(history)``) or end the cell with
``;`` to see the figure once rather than twice.
"""

from kerascnn.plots.augmentation import (
    plot_augmentation_draws,
    plot_ops_grid,
    plot_randaugment_samples,
)
from kerascnn.plots.comparison import plot_model_comparison, plot_seed_spread
from kerascnn.plots.curves import (
    plot_cross_entropy,
    plot_decision_boundary,
    plot_history,
    plot_loss_steps,
    plot_metric_curves,
)
from kerascnn.plots.images import (
    plot_class_balance,
    plot_class_examples,
    plot_confident_mistakes,
    plot_confusion_matrix,
    plot_pixel_histogram,
    plot_softmax,
    show_images,
)
from kerascnn.plots.network import (
    plot_activations,
    plot_feature_maps,
    plot_filter_responses,
    plot_filters,
    plot_gradient_norms,
)

__all__ = [
    "plot_activations",
    "plot_augmentation_draws",
    "plot_class_balance",
    "plot_class_examples",
    "plot_confident_mistakes",
    "plot_confusion_matrix",
    "plot_cross_entropy",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_filter_responses",
    "plot_filters",
    "plot_gradient_norms",
    "plot_history",
    "plot_loss_steps",
    "plot_metric_curves",
    "plot_model_comparison",
    "plot_seed_spread",
    "plot_ops_grid",
    "plot_pixel_histogram",
    "plot_randaugment_samples",
    "plot_softmax",
    "show_images",
]
