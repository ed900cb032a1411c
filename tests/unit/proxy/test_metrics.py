from __future__ import annotations

from chaosml.proxy.metrics import ProxyMetrics, render


def test_exposition_has_every_family_with_the_proxy_label() -> None:
    text = render({'a"b': ProxyMetrics(bytes_upstream=5, records_corrupted=2)})
    assert 'chaosml_proxy_bytes_total{proxy="a\\"b",direction="upstream"} 5' in text
    assert 'chaosml_proxy_records_corrupted_total{proxy="a\\"b"} 2' in text
    assert text.count("# TYPE") == 7
