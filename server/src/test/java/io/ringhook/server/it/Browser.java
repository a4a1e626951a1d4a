package io.ringhook.server.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}, driven through its {@code chromedriver}, both
 * installed by scripts/install-test-deps.sh) for the console's tests, saving screenshots under
 * {@code target/console-screenshots/}.
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(15);
  // Selenium warns that it has no DevTools classes for this Chromium; the tests use none. Held
  // here because java.util.logging keeps its loggers weakly.
  private static final java.util.logging.Logger CDP_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");
  private static final java.util.logging.Logger CHROMIUM = quiet("org.openqa.selenium.chromium.ChromiumDriver");

  private final ChromeDriver driver;
  private final String base;

  Browser(int httpPort) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(executable("chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1440,960", "--hide-scrollbars", "--lang=en-US");
    // The driver is named explicitly, so Selenium never looks for one to download.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(executable("chromedriver"))).usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
    this.base = "http://127.0.0.1:" + httpPort;
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Opens {@code path} on the server. */
  void open(String path) {
    driver.get(base + path);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits until {@code condition} is true (or non-null) and returns it; the page's text on failure. */
  <T> T await(String what, Function<WebDriver, T> condition) {
    try {
      // The pages re-render their tables as events arrive: an element found a moment ago may be gone.
      return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).withMessage(what)
          .ignoring(StaleElementReferenceException.class).until(condition);
    } catch (RuntimeException e) {
      throw new AssertionError("waited for " + what + "; the page at " + driver.getCurrentUrl() + " shows:\n"
          + driver.findElement(By.tagName("body")).getText(), e);
    }
  }

  /** Waits for an element matching {@code css} whose text contains {@code text}. */
  WebElement awaitText(String css, String text) {
    return await(css + " showing '" + text + "'", d -> d.findElements(By.cssSelector(css)).stream()
        .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
  }

  /** Saves the whole page (not only the window) as {@code target/console-screenshots/<name>.png}. */
  Path screenshot(String name) {
    Dimension window = driver.manage().window().getSize();
    long height = (Long) driver.executeScript("return document.documentElement.scrollHeight;");
    try {
      driver.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.max(window.getHeight(), height + 140)));
      Files.createDirectories(SCREENSHOTS);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      return Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(window);
    }
  }

  /** Runs {@code fetch(path)} in the page and returns its status and body, as the page's scripts would see it. */
  String fetch(String path) {
    Object r = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch(arguments[0], {credentials: 'same-origin'}).then(async r => done(r.status + ' ' + await r.text()))"
        + ".catch(e => done('error ' + e));", path);
    return String.valueOf(r);
  }

  @Override
  public void close() {
    driver.quit();
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(java.util.logging.Level.SEVERE);
    return l;
  }

  private static String executable(String name) {
    for (String dir : List.of("/usr/bin", "/usr/lib/chromium", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new AssertionError(name + " is not installed: run scripts/install-test-deps.sh (Debian's chromium and"
        + " chromium-driver)");
  }
}
