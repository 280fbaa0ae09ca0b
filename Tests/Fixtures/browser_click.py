#!/usr/bin/env python3
"""A person at a real browser (Debian's chromium, headless, driven by Selenium): opens a URL,
saves a screenshot, clicks the page's first submit button (or follows the link a CSS selector
names) when asked, saves another, and prints what the pages said as JSON:
{"before": text, "after": text, "title_after": title, "url_after": url}."""
import argparse
import json

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--screenshot", required=True, help="PNG of the page as opened")
parser.add_argument("--click", action="store_true", help="press the page's submit button")
parser.add_argument("--follow", help="click the link this CSS selector finds (instead of --click)")
parser.add_argument("--after", help="PNG of the page after the click")
parser.add_argument("--lang", default="en-US")
args = parser.parse_args()


def replaced(old):
    """Waits until `old` has left the page, as Selenium's `staleness_of` does, also when
    chromedriver says so with "Node with given id does not belong to the document" instead of a
    stale element, as it does now and then (SeleniumHQ/selenium#15401; Chromium 156 here; it failed
    this script once in a CI run, in `staleness_of` itself)."""
    def gone(_driver):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return gone


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,1300", f"--lang={args.lang}"]:
    options.add_argument(argument)
options.add_experimental_option("prefs", {"intl.accept_languages": args.lang})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(args.url)
    result = {"before": driver.find_element(By.TAG_NAME, "body").text, "title_before": driver.title}
    driver.save_screenshot(args.screenshot)
    if args.click or args.follow:
        old = driver.find_element(By.TAG_NAME, "h1")
        driver.find_element(By.CSS_SELECTOR, args.follow or "button[type=submit]").click()
        WebDriverWait(driver, 20).until(replaced(old))
        result["after"] = driver.find_element(By.TAG_NAME, "body").text
        result["title_after"] = driver.title
        result["url_after"] = driver.current_url
        if args.after:
            driver.save_screenshot(args.after)
    print(json.dumps(result))
finally:
    driver.quit()
