"""kerascnn.environment: what the course runs on."""

import pytest

from kerascnn import environment


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("fpu sse4_2 avx avx2 fma", "AVX2, no AVX-512"),
        ("fpu sse4_2 avx avx2 avx512f avx512bw", "AVX-512"),
        ("fpu sse4_2", "SSE4.2"),
        ("fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile", "AVX-512, AMX"),
    ],
)
def test_cpu_description_names_the_widest_vector_set(tmp_path, flags, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        f"processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: {flags}\n"
        f"\nprocessor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: {flags}\n"
    )
    line = environment.cpu_description(cpuinfo)
    assert line.startswith("Test CPU 9000 (")
    assert f", {expected})" in line
    assert line.endswith("CPU cores")


def test_cpu_description_without_cpuinfo_still_names_the_machine(tmp_path):
    line = environment.cpu_description(tmp_path / "missing")
    assert "(" in line and line.endswith("CPU cores")


def test_describe_reports_the_cpu():
    assert environment.describe()["CPU"] == environment.cpu_description()
