"""The interactive page in a real browser: Debian's headless Chromium driven by Selenium
through the packaged chromedriver. The page's counters and output cells, after N clicks,
must equal nnref.trace.steps. Without a browser these tests skip locally (saying how to
install one) and fail under CI, which installs it (.ci/run)."""
import copy
import os
import shutil
import tempfile

import numpy as np
import pytest
from conftest import need

from nnref.cli.step import make_data
from nnref.layers.spec import parse_layer
from nnref.testing.formula import formula_for_page
from nnref.trace import html, steps
from nnref.trace.render import fmt

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1000")


def need_browser():
    """Selenium and Debian's chromium + chromium-driver; skip without them, except in CI."""
    webdriver = need("selenium.webdriver")
    missing = [p for p in (CHROMIUM, DRIVER) if not shutil.which(p)]
    if missing:
        message = f"{', '.join(missing)} not found: install them with {INSTALL}"
        if os.environ.get("CI"):
            raise RuntimeError(message)
        pytest.skip(message)
    return webdriver


@pytest.fixture(scope="module")
def browser():
    webdriver = need_browser()
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="nnref-chromium-")
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def by_id(driver, name):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, name)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def open_page(driver, tmp_path, spec, shape, per_tap=False, formula=False, values="int"):
    layer = parse_layer(spec)
    x = make_data(layer, shape, values, 0)
    f = formula_for_page(layer, x.shape) if formula else None
    path = tmp_path / "step.html"
    html.save_html(layer, x, path, per_tap=per_tap, formula=f)
    driver.get(path.as_uri())
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return layer, x


def assert_page_shows(driver, records, n, nd=2):
    """The page is at step ``n`` (0-based) of ``records``: counters, label and outputs."""
    s = records[n]
    assert by_id(driver, "step-label").text.startswith(f"step {n + 1} of {len(records)}: ")
    for kind, value in s.counts.as_dict().items():
        found = css(driver, f"#count-{kind}")
        if found:
            assert int(found[0].text) == value, kind
        else:
            assert value == 0 and kind not in ("mul", "add", "cmp", "div")
    assert int(by_id(driver, "count-total").text) == s.counts.flops
    done = {r.index: r.value for r in records[:n + 1] if r.done}
    cells = css(driver, "[data-role=output] .cell")
    shown = {tuple(int(v) for v in c.get_attribute("data-index").split(",")): c for c in cells}
    plane = s.index[:-nd]
    assert s.index in shown  # the current plane is the one drawn
    for idx, cell in shown.items():
        if idx in done:
            assert float(cell.get_attribute("data-value")) == done[idx]  # exactly the reference's
            assert cell.text == fmt(done[idx], 3)
        else:
            assert cell.text == "?"
        assert idx[:-nd] == plane


CASES = [
    ("Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5)),
    ("Conv2d(4, 2, (2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2, bias=False)",
     (2, 4, 5, 6)),
    ("Conv1d(2, 3, 3, padding=2, dilation=2)", (1, 2, 7)),
    ("DepthwiseConv2d(2, 3, 2, padding=1)", (1, 2, 4, 4)),
    ("PointwiseConv2d(3, 2)", (1, 3, 3, 3)),
    ("MaxPool2d(3, 2, 1, ceil_mode=True)", (1, 2, 6, 6)),
    ("AvgPool2d(3, stride=2, padding=1, count_include_pad=True)", (1, 1, 5, 5)),
    ("AvgPool2d(3, stride=2, padding=1, count_include_pad=False)", (1, 1, 5, 5)),
    ("Linear(4, 3)", (2, 4)),
]


@pytest.mark.parametrize("spec,shape", CASES)
def test_next_n_times_shows_the_reference(browser, tmp_path, spec, shape):
    layer, x = open_page(browser, tmp_path, spec, shape)
    records = list(steps(layer, x))
    nd = 1 if "1d" in spec or "Linear" in spec else 2
    assert_page_shows(browser, records, 0, nd)
    n = min(len(records) - 1, 7)
    for _ in range(n):
        by_id(browser, "next").click()
    assert_page_shows(browser, records, n, nd)
    by_id(browser, "last").click()
    assert_page_shows(browser, records, len(records) - 1, nd)


def test_per_tap_steps_one_tap_at_a_time(browser, tmp_path):
    layer, x = open_page(browser, tmp_path, "Conv2d(2, 1, 3, padding=1)", (1, 2, 3, 3),
                         per_tap=True)
    records = list(steps(layer, x, per_tap=True))
    for _ in range(11):
        by_id(browser, "next").click()
    assert_page_shows(browser, records, 11)
    assert css(browser, ".cell.tap")  # the current tap, in the input and the kernel
    assert "so far" in by_id(browser, "equation").text


def test_keys_slider_and_play(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    layer, x = open_page(browser, tmp_path, "Conv2d(1, 1, 3, padding=1)", (1, 1, 4, 4))
    records = list(steps(layer, x))
    body = css(browser, "body")[0]
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_LEFT)
    assert_page_shows(browser, records, 2)
    browser.execute_script("const s = document.getElementById('slider'); s.value = 10;"
                           "s.dispatchEvent(new Event('input'));")
    assert_page_shows(browser, records, 9)
    by_id(browser, "play").click()
    WebDriverWait(browser, 20).until(lambda d: not by_id(d, "step-label").text.startswith("step 10 "))
    by_id(browser, "play").click()  # pause
    label = by_id(browser, "step-label").text
    n = int(label.split()[1]) - 1
    assert_page_shows(browser, records, n)


def test_dense_skip_switch_shows_what_skip_saves(browser, tmp_path):
    layer, x = open_page(browser, tmp_path, "Conv2d(1, 2, 3, padding=1)", (1, 1, 3, 3))
    skip = copy.copy(layer)
    skip.padding_taps = "skip"
    dense_records, skip_records = list(steps(layer, x)), list(steps(skip, x))
    for _ in range(2):
        by_id(browser, "next").click()
    assert "dashed" not in by_id(browser, "saves").text
    d, s = dense_records[2].counts, skip_records[2].counts
    live = by_id(browser, "saves-live").text
    assert f"skip saves mul {d.mul - s.mul}, add {d.add - s.add}" in live
    by_id(browser, "mode-skip").click()
    assert_page_shows(browser, skip_records, 2)
    assert css(browser, ".cell.skipped") and "(skip)" in by_id(browser, "step-label").text
    assert "5 of 9 taps on padding (dashed: skipped" in by_id(browser, "saves").text
    by_id(browser, "mode-dense").click()
    assert_page_shows(browser, dense_records, 2)


def test_hover_shows_the_product(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    layer, x = open_page(browser, tmp_path, "Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5))
    by_id(browser, "next").click()
    tap = next(t for t in list(steps(layer, x))[1].taps if not t.in_padding)
    idx = ",".join(map(str, tap.input))
    cell = css(browser, f"[data-role=input] .cell[data-index='{idx}']")[0]
    ActionChains(browser).move_to_element(cell).perform()
    tip = by_id(browser, "tip").text
    assert tip.startswith(f"x[{', '.join(map(str, tap.input))}] · w[")
    assert tip.endswith(f"= {fmt(tap.x)} × {fmt(tap.w).replace('−', '(−') + (')' if tap.w < 0 else '')}"
                        f" = {fmt(tap.product)}")


def test_divisor_and_formula_are_shown(browser, tmp_path):
    open_page(browser, tmp_path, "AvgPool2d(3, stride=2, padding=1)", (1, 1, 5, 5), formula=True)
    assert "divisor 9: count_include_pad=True: the window clipped to the padded input (4 taps " \
           "inside, 5 on padding)" in by_id(browser, "equation").text
    layer, x = open_page(browser, tmp_path, "Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5),
                         formula=True)
    assert "(2*Cin/groups*Kh*Kw - 1 + bias)*N*Co*Ho*Wo" in by_id(browser, "formula").text
    by_id(browser, "last").click()
    assert "exact ✓" in by_id(browser, "formula-status").text
    by_id(browser, "mode-skip").click()
    assert "off by +" in by_id(browser, "formula-status").text


def test_screenshot_and_jupyter_iframe(browser, tmp_path):
    pil = need("PIL.Image")
    layer, x = open_page(browser, tmp_path, "Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5))
    for _ in range(3):
        by_id(browser, "next").click()
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot))
    with pil.open(shot) as im:
        assert im.size[0] >= 1000 and len(im.convert("RGB").getcolors(1 << 20)) > 50
    notebook = tmp_path / "notebook.html"
    notebook.write_text("<html><body>" + steps(layer, x)._repr_html_() + "</body></html>",
                        encoding="utf-8")
    browser.get(notebook.as_uri())
    browser.switch_to.frame(css(browser, "iframe")[0])
    by_id(browser, "next").click()
    assert by_id(browser, "count-mul").text == str(list(steps(layer, x))[1].counts.mul)
    browser.switch_to.default_content()


def test_the_page_is_self_contained():
    layer = parse_layer("Conv2d(1, 1, 3, padding=1)")
    text = html.page(layer, np.ones((1, 1, 3, 3)))
    assert "http://" not in text and "https://" not in text and "<link" not in text
    assert "<script src" not in text and "import(" not in text
    assert text.count("<script") == 2  # the JSON data and the inline script


def test_cli_writes_the_page_with_a_formula(tmp_path, capsys):
    from nnref.cli import main

    out = tmp_path / "step.html"
    assert main(["step", "Conv2d(2, 1, 3, stride=2, padding=1)", "--input", "1,2,5,5", "--quiet",
                 "--html", str(out), "--formula", "(2·Cin·K²−1+bias)·Ho·Wo·Co"]) == 0
    assert f"wrote {out}: an interactive page" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert '"substituted":"(2·2·3²−1+1)·3·3·1","value":324' in text
    assert main(["step", "Linear(2, 1)", "--input", "1,2", "--html", str(out),
                 "--formula", "open('x')"]) == 2
    err = capsys.readouterr().err
    assert "function call" in err and err.count("\n") == 1
