"""The chat page and the widget in a real browser: Debian's Chromium driven by Selenium through
/usr/bin/chromedriver (given explicitly, so nothing is downloaded), headless, one session for the module.

Screenshots of the main states go to $WEB_SCREENSHOTS (default: the test's temporary directory).
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from docx import Document

from tests.webproc import WebProcess, free_port

CHROMEDRIVER = "/usr/bin/chromedriver"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"\'&amp;'

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _browser_missing() -> str | None:
    if not Path(CHROMEDRIVER).exists() or not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def host_page(tmp_path_factory):
    """A page of another origin (another port) that embeds the widget: the intranet portal."""
    folder = tmp_path_factory.mktemp("portal")
    port = free_port()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def web(tmp_path_factory, host_page):
    workdir = tmp_path_factory.mktemp("web-browser")
    server = WebProcess(
        workdir, "--store", str(workdir / "state.sqlite3"), "--allow-origin", host_page[1], env={"BOT_DATA_DIR": str(workdir / "data")}
    ).start()
    server.store_path = workdir / "state.sqlite3"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = _browser_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage", "--window-size=1000,900"):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"intl.accept_languages": "zh-CN,zh", "download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


# ---------------------------------------------------------------------- helpers
def wait(driver, condition, timeout: float = 20):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition())


def fresh(driver, url: str) -> None:
    """A new browser conversation: no cookie, the page loaded and its history shown."""
    driver.get(url + "/healthz")
    driver.delete_all_cookies()
    open_page(driver, url)


def open_page(driver, url: str) -> None:
    driver.get(url + "/")
    wait(driver, lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")


def bot_messages(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot")


def say(driver, text: str) -> None:
    before = len(bot_messages(driver))
    box = driver.find_element(By.ID, "message")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait(driver, lambda: len(bot_messages(driver)) > before)


def click(driver, label: str) -> None:
    """Press the latest button with this label and wait for the answer."""
    before = len(bot_messages(driver))
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, "#log .buttons button") if b.text == label]
    assert buttons, f"no button {label!r} among {[b.text for b in driver.find_elements(By.CSS_SELECTOR, '#log .buttons button')][-12:]}"
    buttons[-1].click()
    wait(driver, lambda: len(bot_messages(driver)) > before)


def last_text(driver) -> str:
    return bot_messages(driver)[-1].text


def all_text(driver) -> str:
    return driver.find_element(By.ID, "log").text


# ---------------------------------------------------------------------- the tests
def test_greeting_with_buttons(browser, web, shots):
    fresh(browser, web.url)
    first = bot_messages(browser)[0]
    assert "你好" in first.text
    buttons = first.find_elements(By.CSS_SELECTOR, ".buttons button")
    assert [b.text for b in buttons][:4] == ["评估报告时限", "起草报告", "报告渠道", "常见问题"]
    assert all(b.tag_name == "button" and b.get_attribute("type") == "button" for b in buttons)
    assert first.find_element(By.CSS_SELECTOR, ".buttons").get_attribute("aria-label") == "可选回答"
    box = browser.find_element(By.ID, "message")
    assert box.tag_name == "textarea" and box.is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, "label[for=message]").get_attribute("textContent")
    assert browser.find_element(By.ID, "log").get_attribute("role") == "log"
    browser.save_screenshot(str(shots / "1-greeting.png"))


def test_a_question_is_answered_with_its_source_as_a_link(browser, web, shots):
    say(browser, "报告邮箱是什么")
    answer = bot_messages(browser)[-1]
    assert "12387@cert.org.cn" in answer.text
    links = answer.find_elements(By.CSS_SELECTOR, "a[href^='https://www.cac.gov.cn/']")
    assert links and links[0].get_attribute("rel") == "noopener noreferrer"
    browser.save_screenshot(str(shots / "2-answer-with-source.png"))


def test_a_whole_assessment_by_clicking(browser, web, shots):
    click(browser, "评估报告时限")
    for label in ("是", "否", "特别重大", "现在", "是", "否"):
        click(browser, label)
    summary = last_text(browser)
    assert "评估结果" in all_text(browser) and "保护工作部门和公安机关" in all_text(browser)
    assert "截止前提醒我" in summary or any(b.text == "截止前提醒我" for b in browser.find_elements(By.CSS_SELECTOR, "#log .buttons button"))
    browser.save_screenshot(str(shots / "3-assessment.png"))
    click(browser, "截止前提醒我")
    assert "提醒" in last_text(browser)


def test_a_report_is_downloaded_and_opens(browser, web, shots):
    click(browser, "起草报告")
    click(browser, "首报（建议）")
    say(browser, "示例单位<img src=x onerror=window.__xss=3>")
    click(browser, "预览")
    assert "示例单位<img src=x onerror=window.__xss=3>" in last_text(browser)  # in the report too: text, not markup
    assert not browser.find_elements(By.CSS_SELECTOR, "#log img") and browser.execute_script("return window.__xss === undefined")
    click(browser, "确认生成")
    links = browser.find_elements(By.CSS_SELECTOR, "#log a.file")
    names = [link.get_attribute("download") for link in links]
    assert any(n.endswith(".docx") for n in names) and any(n.endswith(".txt") for n in names)
    browser.save_screenshot(str(shots / "4-report-files.png"))
    docx_link = next(link for link in links if link.get_attribute("download").endswith(".docx"))
    docx_link.click()
    target = browser.downloads / docx_link.get_attribute("download")
    wait(browser, lambda: target.exists() and target.stat().st_size > 0 and not list(browser.downloads.glob("*.crdownload")))
    document = Document(io.BytesIO(target.read_bytes()))
    assert "示例单位" in "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )


def test_a_reload_keeps_the_conversation(browser, web):
    before = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#log .msg")]
    open_page(browser, web.url)
    after = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#log .msg")]
    assert after == before and len(after) > 10
    assert "示例单位" in all_text(browser)


def test_a_reminder_appears_while_the_page_is_open(browser, web, shots):
    from bot.store.sqlite import SQLiteStore

    key = "web:" + browser.get_cookie("ib_chat")["value"]  # HttpOnly: the page's script cannot read it, the driver can
    store = SQLiteStore(web.store_path)
    state = store.load(key)
    state.reminders = [{"at": "2026-01-01T00:00:00+08:00", "deadline": "2026-01-01T00:15:00+08:00",
                        "text": {"zh": "⏰ 提醒：首次报告 → 属地省级网信部门，最晚 10:00（北京时间）。", "en": "⏰ Reminder"}}]
    store.save(key, state)
    store.close()
    reminder = wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#log .msg.reminder"))  # the event stream, no reload
    assert "属地省级网信部门" in reminder[-1].text
    browser.save_screenshot(str(shots / "4b-reminder.png"))


def test_xss_is_shown_as_typed(browser, web, shots):
    say(browser, XSS)
    mine = browser.find_elements(By.CSS_SELECTOR, "#log .msg.user .text")[-1]
    assert mine.text == XSS
    assert not browser.find_elements(By.CSS_SELECTOR, "#log img, #log script:not([src])")
    assert browser.execute_script("return window.__xss === undefined")
    open_page(browser, web.url)  # and from the stored transcript too
    assert browser.find_elements(By.CSS_SELECTOR, "#log .msg.user .text")[-1].text == XSS
    assert not browser.find_elements(By.CSS_SELECTOR, "#log img") and browser.execute_script("return window.__xss === undefined")
    browser.save_screenshot(str(shots / "5-xss-as-text.png"))


def test_keyboard_only(browser, web, shots):
    fresh(browser, web.url)
    keys = ActionChains(browser)
    for _ in range(12):  # Tab from the top of the page to the message box
        if browser.switch_to.active_element.get_attribute("id") == "message":
            break
        keys.send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "message"
    ActionChains(browser).send_keys("报告").key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).send_keys("邮箱").perform()
    assert browser.find_element(By.ID, "message").get_attribute("value") == "报告\n邮箱"
    before = len(bot_messages(browser))
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait(browser, lambda: len(bot_messages(browser)) > before)
    assert "12387@cert.org.cn" in last_text(browser)
    assert browser.find_element(By.ID, "message").get_attribute("value") == ""
    # Shift+Tab back from the box reaches the newest answer's last button; Enter presses it
    before = len(bot_messages(browser))
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    focused = browser.switch_to.active_element
    for _ in range(6):
        if focused.tag_name == "button" and focused.find_elements(By.XPATH, "ancestor::div[contains(@class,'buttons')]"):
            break
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        focused = browser.switch_to.active_element
    label = focused.text
    assert label and focused.tag_name == "button"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait(browser, lambda: len(bot_messages(browser)) > before)
    assert browser.find_elements(By.CSS_SELECTOR, "#log .msg.user .text")[-1].text == label
    browser.save_screenshot(str(shots / "6-keyboard.png"))


def test_new_conversation_and_forget(browser, web):
    browser.find_element(By.ID, "new").click()
    wait(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#log .msg")) == 1)
    assert "你好" in last_text(browser)
    say(browser, "报告邮箱是什么")
    browser.find_element(By.ID, "message").send_keys("/forget", Keys.ENTER)
    wait(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#log .msg")) == 1 and "12387@cert.org.cn" not in all_text(browser))
    open_page(browser, web.url)
    texts = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#log .msg")]
    assert len(texts) == 1 and "12387@cert.org.cn" not in texts[0]


def test_english_page(browser, web, shots):
    browser.delete_all_cookies()
    browser.get(web.url + "/?lang=en")
    wait(browser, lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    assert "Hello" in last_text(browser) and browser.find_element(By.ID, "send").text == "Send"
    say(browser, "CII deadline")
    assert "hour" in last_text(browser).lower()
    browser.save_screenshot(str(shots / "7-english.png"))


def test_the_widget_on_a_page_of_another_origin(browser, web, host_page, shots):
    folder, origin = host_page
    (folder / "portal.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>Intranet portal</title></head><body>"
        "<h1>IT help desk</h1><p>Company intranet.</p>"
        f'<script src="{web.url}/widget.js" data-lang="zh"></script></body></html>',
        encoding="utf-8",
    )
    browser.get(web.url + "/healthz")
    browser.delete_all_cookies()  # the panel starts a conversation of its own
    browser.get(origin + "/portal.html")
    button = wait(browser, lambda: browser.find_element(By.ID, "incident-bot-button"))
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    frame = wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, "#incident-bot-panel iframe"))
    assert frame.is_displayed()
    browser.switch_to.frame(frame)
    try:
        wait(browser, lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        assert "你好" in bot_messages(browser)[0].text
        say(browser, "报告传真号码")
        assert "010-82992387" in last_text(browser)
    finally:
        browser.switch_to.default_content()
    browser.save_screenshot(str(shots / "8-widget.png"))


def test_phone_width_has_no_horizontal_overflow(browser, web, shots):
    browser.set_window_size(360, 740)
    try:
        open_page(browser, web.url)
        say(browser, "关基出事了几个小时内要报 " + "https://www.cac.gov.cn/2025-09/15/c_1759583017717009.htm" * 2)
        width = browser.execute_script("return window.innerWidth")
        assert width <= 400
        overflow = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, "
            "document.documentElement.scrollHeight - document.documentElement.clientHeight, "
            "Array.from(document.querySelectorAll('#log .msg, .compose, .top')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length]"
        )
        assert overflow[0] <= overflow[1] and overflow[3] == 0, overflow
        assert overflow[2] <= 0, "the page itself scrolls; only the conversation should"
        browser.save_screenshot(str(shots / "9-phone-360.png"))
    finally:
        browser.set_window_size(1000, 900)


def test_frame_ancestors_names_the_allowed_origin(web, host_page):
    import httpx

    csp = httpx.get(web.url + "/").headers["content-security-policy"]
    assert f"frame-ancestors 'self' {host_page[1]}" in csp
