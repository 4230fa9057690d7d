"""Tests for kerascnn.models: paper-exact counts, depths, plain twins, small inputs, saving,
initialisation, and the tools that look inside a model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerascnn import models


@pytest.fixture(autouse=True)
def _fresh_session():
    """Free the previous test's graph and weights (the ImageNet models are large)."""
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def _layers(model, kind):
    return [layer for layer in model.layers if isinstance(layer, kind)]


def _main_path_names(model):
    return [
        layer.name
        for layer in _layers(model, (keras.layers.Conv2D, keras.layers.Dense))
        if not layer.name.endswith("_shortcut_conv")
    ]


# torchvision's counts (sum(p.numel() for p in model.parameters()), BN running stats are
# buffers and not included) and its GFLOPS column, which counts multiply-accumulates.
REFERENCE = [
    ("vgg", 11, {}, 132_863_336, 7.61e9),
    ("vgg", 13, {}, 133_047_848, 11.31e9),
    ("vgg", 16, {}, 138_357_544, 15.47e9),
    ("vgg", 19, {}, 143_667_240, 19.63e9),
    ("vgg", 16, {"batch_norm": True}, 138_365_992, 15.47e9),
    ("resnet", 18, {}, 11_689_512, 1.81e9),
    ("resnet", 34, {}, 21_797_672, 3.66e9),
    ("resnet", 50, {}, 25_557_032, 4.09e9),
    ("resnet", 101, {}, 44_549_160, 7.80e9),
    ("resnet", 152, {}, 60_192_808, 11.51e9),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("family", "depth", "kwargs", "parameters", "macs"),
    REFERENCE,
    ids=[f"{f}{d}{'_bn' if k else ''}" for f, d, k, _, _ in REFERENCE],
)
def test_imagenet_models_match_reference_counts(family, depth, kwargs, parameters, macs):
    model = getattr(models, family)(depth, **kwargs)
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == (None, 1000)
    row = models.summarize(model)[0]
    assert row["parameters"] == parameters
    # Everything else is the batch norm moving mean and variance, two per channel.
    bn_layers = _layers(model, keras.layers.BatchNormalization)
    bn_channels = sum(layer.gamma.shape[0] for layer in bn_layers)
    assert row["non_trainable_parameters"] == 2 * bn_channels
    assert model.count_params() == parameters + 2 * bn_channels
    assert row["depth"] == depth == len(_main_path_names(model))
    assert row["macs"] == pytest.approx(macs, rel=5e-3)
    shortcut_convs = [layer.name for layer in model.layers if "shortcut" in layer.name]
    if family == "resnet":
        # Projections where the shape changes: stages 2-4, and stage 1 for bottlenecks.
        expected = 3 if depth < 50 else 4
        assert len(_layers(model, keras.layers.Conv2D)) == depth - 1 + expected
        assert sum(name.endswith("_shortcut_conv") for name in shortcut_convs) == expected
        assert not any(layer.use_bias for layer in _layers(model, keras.layers.Conv2D))
    else:
        assert not shortcut_convs
    assert model.name == f"{family}{depth}" + ("_bn" if kwargs else "")


@pytest.mark.slow
def test_vgg16_matches_keras_applications_layer_by_layer():
    ours = models.vgg(16)
    weights = {
        layer.name: [tuple(w.shape) for w in layer.weights]
        for layer in ours.layers
        if layer.weights
    }
    reference = keras.applications.VGG16(weights=None)
    assert weights == {
        layer.name: [tuple(w.shape) for w in layer.weights]
        for layer in reference.layers
        if layer.weights
    }


@pytest.mark.parametrize(
    ("depth", "millions", "digits"), [(20, 0.27, 2), (56, 0.85, 2), (110, 1.7, 1)]
)
def test_cifar_resnets_match_the_paper(depth, millions, digits):
    model = models.cifar_resnet(depth, input_shape=(32, 32, 3), num_classes=10)
    row = models.summarize(model)[0]
    assert round(row["parameters"] / 1e6, digits) == millions  # table 6
    assert row["depth"] == depth
    # Option A: parameter-free shortcuts, so every convolution is on the main path.
    assert not [layer for layer in model.layers if layer.name.endswith("_shortcut_conv")]
    assert [layer.name for layer in model.layers if layer.name.endswith("_shortcut_pad")] == [
        "stage2_block1_shortcut_pad",
        "stage3_block1_shortcut_pad",
    ]
    assert model.get_layer("stage1_block1_conv1").output.shape == (None, 32, 32, 16)
    assert model.get_layer("avg_pool").input.shape == (None, 8, 8, 64)


@pytest.mark.parametrize(
    ("builder", "depth", "input_shape", "options", "blocks"),
    [
        ("cifar_resnet", 20, (32, 32, 3), {}, 9),
        ("resnet", 18, (28, 28, 1), {"width": 0.25, "stem": "small"}, 8),
        ("resnet", 50, (32, 32, 3), {"width": 0.25}, 16),
    ],
)
def test_plain_twin_has_the_same_layers_and_no_addition(
    builder, depth, input_shape, options, blocks
):
    build = getattr(models, builder)
    resnet = build(depth, input_shape, 10, **options)
    plain = build(depth, input_shape, 10, residual=False, **options)
    width = options.get("width", 1)
    suffix = "" if width == 1 else f"_w{width:g}"
    assert (resnet.name, plain.name) == (f"resnet{depth}{suffix}", f"plain{depth}{suffix}")
    assert _main_path_names(plain) == _main_path_names(resnet)
    assert len(_main_path_names(plain)) == depth
    assert not _layers(plain, keras.layers.Add)
    assert not [layer for layer in plain.layers if "shortcut" in layer.name]
    assert len(_layers(resnet, keras.layers.Add)) == blocks


# Default arguments, one depth per builder path: the depths of a family share the code
# (ResNet-50's bottleneck path is built small in the plain-twin and training tests).
SMALL_BUILDERS = {
    "mlp": lambda shape: models.mlp(shape, 10),
    "cnn": lambda shape: models.cnn(shape, 10),
    "vgg11": lambda shape: models.vgg(11, shape, 10),
    "resnet18": lambda shape: models.resnet(18, shape, 10, stem="small"),
    "resnet20": lambda shape: models.cifar_resnet(20, shape, 10),
}


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3)], ids=["fashion", "cifar"])
def test_every_builder_accepts_small_inputs(shape):
    for name, build in SMALL_BUILDERS.items():
        model = build(shape)
        assert model.input_shape == (None, *shape), name
        assert model.output_shape == (None, 10), name
        assert model.name == name
        keras.backend.clear_session()


def test_small_input_adaptations():
    # VGG on 28x28: the fifth pool would go below 1x1 and is left out.
    small = models.vgg(11, (28, 28, 1), 10, dense_units=8)
    assert [layer.name for layer in _layers(small, keras.layers.MaxPooling2D)] == [
        f"block{b}_pool" for b in range(1, 5)
    ]
    assert small.get_layer("flatten").input.shape == (None, 1, 1, 512)
    assert models.vgg(11, (32, 32, 3), 10, dense_units=8).get_layer("block5_pool")


def test_resnet_stem_is_chosen_explicitly():
    # ImageNet ResNets: the 7x7/2 stem + max pool unless stem="small" (3x3/1, no pool).
    small = models.resnet(18, (32, 32, 3), 10, stem="small", width=0.25)
    assert small.get_layer("stem_conv").kernel.shape == (3, 3, 3, 16)
    assert "stem_pool" not in [layer.name for layer in small.layers]
    assert small.get_layer("avg_pool").input.shape == (None, 4, 4, 128)
    for side, last_map in ((32, 1), (64, 2)):
        imagenet = models.resnet(18, (side, side, 3), 10, width=0.25)
        assert imagenet.get_layer("stem_conv").kernel.shape == (7, 7, 3, 16)
        assert imagenet.get_layer("stem_pool").output.shape == (None, side // 4, side // 4, 16)
        assert imagenet.get_layer("avg_pool").input.shape == (None, last_map, last_map, 128)
        assert imagenet.name == small.name == "resnet18_w0.25"
    # Below 32 pixels the ImageNet stem is refused, never silently replaced.
    with pytest.raises(ValueError, match=r'at least 32x32 pixels.*pass stem="small"'):
        models.resnet(18, (28, 28, 1), 10)
    with pytest.raises(ValueError, match="at least 32x32"):
        models.resnet(18, (224, 31, 3), 10)
    # The CIFAR networks always have the small stem.
    cifar = models.cifar_resnet(20, (28, 28, 1), 10)
    assert cifar.get_layer("stem_conv").kernel.shape == (3, 3, 1, 16)
    assert cifar.get_layer("avg_pool").input.shape == (None, 7, 7, 64)


def test_width_and_shortcut_options():
    wide = models.cifar_resnet(20, (32, 32, 3), 10, width=2)
    assert wide.name == "resnet20_w2"
    assert wide.get_layer("avg_pool").input.shape == (None, 8, 8, 128)
    projected = models.cifar_resnet(20, (32, 32, 3), 10, shortcut="projection")
    assert [layer.name for layer in projected.layers if layer.name.endswith("_shortcut_conv")] == [
        "stage2_block1_shortcut_conv",
        "stage3_block1_shortcut_conv",
    ]
    assert models.summarize(projected)[0]["depth"] == 20


# Small, fast members of every family and option; each trains, predicts and is saved.
TRAINABLE = {
    "mlp": lambda: models.mlp((28, 28, 1), 10, hidden_units=(16, 8), dropout=0.2),
    "cnn_bn_avg": lambda: models.cnn(
        (28, 28, 1),
        10,
        filters=(4, 8),
        pooling="avg",
        dense_units=8,
        dropout=0.5,
        batch_norm=True,
    ),
    "vgg11_bn": lambda: models.vgg(11, (32, 32, 3), 10, batch_norm=True, dense_units=16),
    "resnet18_thin": lambda: models.resnet(18, (32, 32, 3), 10, width=0.125, stem="small"),
    "resnet50_thin": lambda: models.resnet(50, (28, 28, 1), 10, width=0.0625, stem="small"),
    "resnet20": lambda: models.cifar_resnet(20, (28, 28, 1), 10, width=0.5),
    "plain20": lambda: models.cifar_resnet(20, (32, 32, 3), 10, residual=False, width=0.5),
}
# Tracing the train step of a deep model costs seconds, so these train eagerly; the others,
# which hold every layer type between them, run as a compiled graph, as in `model.fit`.
EAGER = {"vgg11_bn", "resnet18_thin", "resnet50_thin", "plain20"}


@pytest.mark.parametrize("name", list(TRAINABLE))
def test_trains_predicts_and_round_trips(name, tmp_path):
    model = TRAINABLE[name]()
    rng = np.random.default_rng(0)
    x = rng.random((4, *model.input_shape[1:]), dtype=np.float32)
    y = rng.integers(0, 10, size=4)
    model.compile("sgd", "sparse_categorical_crossentropy", run_eagerly=name in EAGER)
    before = [w.numpy().copy() for w in model.trainable_weights]
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    after = [w.numpy() for w in model.trainable_weights]
    assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))

    probabilities = np.asarray(model(x, training=False))
    assert probabilities.shape == (4, 10)
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)

    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(np.asarray(loaded(x, training=False)), probabilities)


def test_logits_option_gives_the_softmax_inputs():
    probs = models.mlp((28, 28, 1), 10, hidden_units=(8,))
    logits = models.mlp((28, 28, 1), 10, hidden_units=(8,), logits=True)
    logits.set_weights(probs.get_weights())
    x = np.random.default_rng(1).random((3, 28, 28, 1), dtype=np.float32)
    z = np.asarray(logits(x))
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        np.asarray(probs(x)), expected / expected.sum(axis=1, keepdims=True), rtol=1e-5
    )


def test_residual_block_is_f_of_x_plus_shortcut():
    inputs = keras.Input((8, 8, 4))
    outputs = models.residual_block(inputs, 8, stride=2, shortcut="zero_pad", name="demo")
    block = keras.Model(inputs, outputs)
    names = {layer.name for layer in block.layers}
    assert {"demo_conv1", "demo_conv2", "demo_add"} <= names
    assert {"demo_shortcut_pool", "demo_shortcut_pad"} <= names  # option A: no convolution
    # With F silenced (zero kernels, zero beta), the output is the option-A shortcut:
    # every second pixel, the 4 input channels followed by 4 zero channels.
    for layer in block.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layer.kernel.assign(np.zeros(layer.kernel.shape))
    x = np.random.default_rng(2).random((2, 8, 8, 4), dtype=np.float32)
    y = np.asarray(block(x, training=False))
    np.testing.assert_allclose(y[..., :4], x[:, ::2, ::2, :], rtol=1e-6)
    np.testing.assert_array_equal(y[..., 4:], 0.0)

    plain = models.residual_block(inputs, 8, stride=2, residual=False, name="plain")
    assert tuple(plain.shape) == (None, 4, 4, 8)
    projected = models.bottleneck_block(inputs, 2, name="bottle")
    assert tuple(projected.shape) == (None, 8, 8, 8)
    with pytest.raises(ValueError, match="cannot reduce 8 channels to 4"):
        models.residual_block(keras.Input((8, 8, 8)), 4, shortcut="zero_pad", name="shrink")


def test_summarize_counts_macs_by_hand():
    model = models.cnn((28, 28, 1), 10, filters=(4, 8), dense_units=16)
    by_hand = (
        28 * 28 * 4 * (3 * 3 * 1)  # block1_conv1
        + 14 * 14 * 8 * (3 * 3 * 4)  # block2_conv1
        + (7 * 7 * 8) * 16  # fc1
        + 16 * 10  # predictions
    )
    mlp = models.mlp((28, 28, 1), 10, hidden_units=())
    rows = models.summarize({"small cnn": model, "softmax": mlp})
    assert rows == [
        {
            "name": "small cnn",
            "depth": 4,
            "parameters": model.count_params(),
            "non_trainable_parameters": 0,
            "macs": by_hand,
            "mflops": 2 * by_hand / 1e6,
        },
        {
            "name": "softmax",
            "depth": 1,
            "parameters": 7850,
            "non_trainable_parameters": 0,
            "macs": 7840,
            "mflops": 2 * 7840 / 1e6,
        },
    ]
    named_by_model = [rows[0] | {"name": "cnn"}, rows[1] | {"name": "mlp"}]
    assert models.summarize([model, mlp]) == named_by_model
    assert models.summarize(mlp) == named_by_model[1:]


BAD_ARGUMENTS = [
    (lambda: models.vgg(12), r"`depth` must be one of \[11, 13, 16, 19\]"),
    (lambda: models.resnet(19), r"`depth` must be one of \[18, 34, 50, 101, 152\] for resnet"),
    (lambda: models.resnet(20), r"got 20 \(a CIFAR ResNet, depth 6n \+ 2: use cifar_resnet\)"),
    (lambda: models.cifar_resnet(18), "`depth` must be 6n \\+ 2 with n >= 1 for cifar_resnet"),
    (lambda: models.cifar_resnet(2), "6n \\+ 2 with n >= 1"),
    (lambda: models.resnet(50.0), "`depth` must be an integer"),
    (lambda: models.cifar_resnet(20.0), "`depth` must be an integer"),
    (lambda: models.mlp((28, 28), 10, hidden_units=(64, -1)), "`hidden_units` must be >= 1"),
    (lambda: models.cnn((28, 28, 1), 10, dense_units=-5), "`dense_units` must be >= 1"),
    (lambda: models.vgg(11, dense_units=0), "`dense_units` must be >= 1"),
    (lambda: models.cnn((28, 28), 10), r"`input_shape` must be \(height, width, channels\)"),
    (lambda: models.vgg(16, (224, 224)), r"`input_shape` must be \(height, width, channels\)"),
    (lambda: models.cifar_resnet(20, (1, 32, 32, 3)), r"\(height, width, channels\)"),
    (lambda: models.resnet(18, (32, 32)), r"\(height, width, channels\)"),
    (lambda: models.mlp((), 10), "`input_shape` must be a tuple of dimensions"),
    (lambda: models.cnn((28, 28, 1), 10, pooling="median"), "`pooling` must be one of 'max', 'av"),
    (lambda: models.cnn((28, 28, 1), 10, filters=(8,) * 5), "at least 32x32 pixels"),
    (lambda: models.cnn((28, 28, 1), 10, filters=()), "at least one convolution block"),
    (lambda: models.mlp((784,), 1), "`num_classes` must be >= 2"),
    (lambda: models.mlp((784,), 10, dropout=1.0), r"`dropout` must be a rate in \[0, 1\)"),
    (lambda: models.cifar_resnet(20, width=0), "`width` must be a positive number"),
    (lambda: models.resnet(18, width=-1.0), "`width` must be a positive number"),
    (lambda: models.cifar_resnet(20, shortcut="B"), "`shortcut` must be one of 'projection', 'ze"),
    (lambda: models.resnet(18, stem="cifar"), "`stem` must be one of 'imagenet', 'small'"),
    (lambda: models.resnet(18, (28, 28, 1), 10), 'pass stem="small"'),
]


@pytest.mark.parametrize(("build", "message"), BAD_ARGUMENTS)
def test_bad_arguments_raise_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


# --------------------------------------------------------------------------- looking inside


def test_gradient_norms_show_the_vanishing_gradient_of_sigmoid():
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, size=64)
    ratios = {}
    for activation in ("relu", "sigmoid"):
        keras.utils.set_random_seed(0)
        model = models.mlp((28, 28, 1), 10, hidden_units=(32,) * 6, activation=activation)
        before = [w.numpy().copy() for w in model.weights]
        norms = models.gradient_norms(model, x, y)
        assert list(norms) == [f"fc{i}" for i in range(1, 7)] + ["predictions"]
        assert all(np.isfinite(value) and value > 0 for value in norms.values())
        ratios[activation] = norms["fc1"] / norms["predictions"]
        assert all(np.array_equal(b, w.numpy()) for b, w in zip(before, model.weights, strict=True))
    # Sigmoid's derivative is at most 1/4: six layers shrink the gradient a hundredfold.
    assert ratios["sigmoid"] < 0.01 < ratios["relu"]


def test_gradient_norms_match_a_gradient_tape():
    keras.utils.set_random_seed(1)
    model = models.mlp((4,), 3, hidden_units=(5,), logits=True)
    x = np.random.default_rng(1).random((6, 4), dtype=np.float32)
    y = np.arange(6) % 3
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model(x))
    grads = tape.gradient(loss, [model.get_layer("fc1").kernel])
    norms = models.gradient_norms(model, x, y, from_logits=True)
    assert norms["fc1"] == pytest.approx(float(tf.norm(grads[0])), rel=1e-6)
    with pytest.raises(ValueError, match="same length"):
        models.gradient_norms(model, x, y[:5])
    inputs = keras.Input((4,))
    with pytest.raises(ValueError, match="no trainable layer with a kernel"):
        models.gradient_norms(keras.Model(inputs, keras.layers.Softmax()(inputs)), x, y)


def test_calibrate_batch_norm_makes_inference_match_training_mode():
    model = models.cnn((28, 28, 1), 10, filters=(4, 8), dense_units=8, batch_norm=True)
    outer = keras.Sequential([model], name="outer")  # nested models are searched too
    x = np.random.default_rng(3).random((16, 28, 28, 1), dtype=np.float32)
    weights = [w.numpy().copy() for w in model.trainable_weights]
    assert models.calibrate_batch_norm(outer, x) == 2
    np.testing.assert_allclose(
        np.asarray(model(x, training=False)), np.asarray(model(x, training=True)), atol=1e-5
    )
    assert all(
        layer.momentum == 0.9
        for layer in model.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    )
    assert all(
        np.array_equal(b, w.numpy()) for b, w in zip(weights, model.trainable_weights, strict=True)
    )
    assert models.calibrate_batch_norm(models.mlp((4,), 2), np.zeros((2, 4), "float32")) == 0


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.mlp((784,), 10, (64,)),
        lambda: models.cnn((28, 28, 1), 10, (8, 16)),
        lambda: models.vgg(11, (32, 32, 3), 10, True),
        lambda: models.resnet(18, (224, 224, 3), 1000, False),
        lambda: models.cifar_resnet(20, (32, 32, 3), 10, False),
    ],
)
def test_options_after_num_classes_are_keyword_only(build):
    with pytest.raises(TypeError, match="positional argument"):
        build()


def _initializers(model, kind, attribute):
    return {type(getattr(layer, attribute)).__name__ for layer in _layers(model, kind)}


def test_initialisation_is_what_the_docstrings_say():
    dense, conv, bn = keras.layers.Dense, keras.layers.Conv2D, keras.layers.BatchNormalization
    glorot_nets = (
        models.mlp((28, 28, 1), 10, hidden_units=(8,)),
        models.cnn((28, 28, 1), 10, filters=(4,), dense_units=8, batch_norm=True),
        models.vgg(11, (32, 32, 3), 10, batch_norm=True, dense_units=8),
    )
    for model in glorot_nets:
        assert _initializers(model, (dense, conv), "kernel_initializer") == {"GlorotUniform"}
        assert _initializers(model, (dense, conv), "bias_initializer") == {"Zeros"}
    resnets = (
        models.resnet(50, (32, 32, 3), 10, width=0.0625),
        models.cifar_resnet(20, shortcut="projection"),
    )
    for model in (*resnets, glorot_nets[1]):
        assert _initializers(model, bn, "gamma_initializer") == {"Ones"}
        assert _initializers(model, bn, "beta_initializer") == {"Zeros"}
        assert _initializers(model, bn, "moving_mean_initializer") == {"Zeros"}
        assert _initializers(model, bn, "moving_variance_initializer") == {"Ones"}
    for model in resnets:
        assert _initializers(model, conv, "kernel_initializer") == {"HeNormal"}
        assert _initializers(model, dense, "kernel_initializer") == {"GlorotUniform"}


def test_preact_resnet_is_the_flagship_shape():
    model = models.preact_resnet()
    row = models.summarize(model)[0]
    # stem + 3 stages of one block (2 convs each) + predictions; shortcuts not counted
    assert row["depth"] == 1 + 3 * 2 + 1
    assert [model.get_layer(f"stage{s}_block1_add").output.shape[1:] for s in (1, 2, 3)] == [
        (14, 14, 64),
        (7, 7, 128),
        (4, 4, 256),
    ]
    by_hand = (
        28 * 28 * 32 * 9 * 1  # stem
        + 14 * 14 * 64 * (9 * 32 + 9 * 64 + 32)  # stage1: conv1, conv2, 1x1 shortcut
        + 7 * 7 * 128 * (9 * 64 + 9 * 128 + 64)
        + 4 * 4 * 256 * (9 * 128 + 9 * 256 + 128)
        + 256 * 10
    )
    assert row["macs"] == by_hand
    assert row["mflops"] == pytest.approx(2 * by_hand / 1e6)
    assert model.output_shape == (None, 10)
    probabilities = model(np.zeros((2, 28, 28, 1), "float32"))
    np.testing.assert_allclose(np.sum(probabilities, axis=1), 1.0, rtol=1e-5)


def test_preact_resnet_blocks_and_identity_shortcuts():
    model = models.preact_resnet(channels=(8, 16, 32), blocks=(2, 1), logits=True)
    names = {layer.name for layer in model.layers}
    assert "stage1_block2_add" in names
    assert "stage1_block2_shortcut_conv" not in names  # same shape: identity shortcut
    assert "stage1_block1_shortcut_conv" in names
    assert model.get_layer("predictions").activation is keras.activations.linear


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channels": (32, 64), "blocks": (1, 1)}, r"2 stages need 3 channel counts"),
        ({"blocks": (1, 0, 1)}, r"`blocks`"),
        ({"input_shape": (28, 28)}, r"`input_shape` must be \(height, width, channels\)"),
        ({"num_classes": 1}, r"`num_classes` must be >= 2"),
    ],
)
def test_preact_resnet_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.preact_resnet(**kwargs)
