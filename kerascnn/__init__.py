"""kerascnn: helpers for a Keras/TensorFlow course on image recognition.

One module per concern, in layers: a module imports only from the layers below it, and
lower modules know nothing of higher ones.

* ``_checks``: argument checks shared by every module; imports nothing of kerascnn.
* ``data``, ``augment``, ``models``: stand alone (they use only ``_checks``). ``data``
  loads Fashion-MNIST and builds ``tf.data`` pipelines, ``augment`` holds the
  augmentation operations and layers, ``models`` the network builders and the tools
  that look inside a model (gradient norms, batch-norm calibration).
* ``profiles`` uses ``data``: the ``KERASCNN_PROFILE`` switch, seeding and the course's
  Fashion-MNIST (all of it or the shipped subset).
* ``training`` uses ``profiles``, ``data``, ``models`` and ``augment``:
  ``compile_and_fit``, with the profile's epochs and batch size, ``RunSummary`` (one
  line per run), ``repeat`` and ``compare_paired`` (an experiment over the profile's
  seeds, and its verdict), and the flagship recipe
  (``Recipe``, ``flagship_recipe``, ``fit_recipe``, ``predict``), which builds its model,
  pipeline and augmentation from those rooms.
* ``diagnosis`` reads the histories that training returns (plain dicts of per-epoch
  losses): it imports no other course module.
* ``toy`` uses ``models`` and ``training`` (and ``profiles``' default seed): the 2-D toy
  problem and its over-large MLP.
* ``environment`` uses ``data`` and ``profiles`` to report what a notebook runs on.
* ``results`` uses ``profiles`` and ``environment``: each notebook's headline results,
  written where README's course table and notebook 14's leaderboard are built from.
* ``distributed`` uses ``data`` and ``models``: data-parallel training with
  ``tf.distribute`` (two replicas on a CPU split in two, two worker processes on
  localhost), each checked against one device.
* ``diagrams`` draws the article's concept figures (a network, the CNN pipeline, a
  sliding kernel, backpropagation, dropout, the residual block) with ``plots``' figure
  helpers; it runs no training and reads a Keras model only for its layers' shapes.
* ``plots`` draws what it is handed (images, models, histories, a ``Diagnosis``) and runs
  no analysis; it imports ``diagnosis`` (to read histories and diagnoses) and
  ``augment`` (to draw what the augmentation layers do).

Notebooks import ``kerascnn``, never the reverse.
"""

__version__ = "0.1.0"
