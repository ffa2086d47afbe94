// Opens each URL given on the command line in Debian's Chromium (headless), checks it loads,
// that the keyboard reaches the skip link first, and runs axe-core's WCAG 2.1 A/AA rules on
// it. Prints one JSON report; exits 1 when a page fails to load or has a serious or critical
// violation. HERD_RESOLVE_RULES is passed to Chromium's --host-resolver-rules, so test
// domains reach the server on loopback without /etc/hosts. HERD_SCREENSHOT names a PNG
// file for a picture of the first page.
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const urls = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--host-resolver-rules=${process.env.HERD_RESOLVE_RULES || ""}`,
  ],
});
const report = [];
let failed = false;
try {
  for (const [i, url] of urls.entries()) {
    const page = await browser.newPage();
    // The pages forbid every script; axe is one, so this test lifts the policy for itself.
    await page.setBypassCSP(true);
    await page.setViewport({ width: 1000, height: 1200 });
    const res = await page.goto(url, { waitUntil: "load", timeout: 20000 });
    const status = res ? res.status() : 0;
    if (i === 0 && process.env.HERD_SCREENSHOT) {
      await page.screenshot({ path: process.env.HERD_SCREENSHOT, fullPage: true });
    }
    await page.keyboard.press("Tab");
    const firstFocus = await page.evaluate(() => document.activeElement?.textContent?.trim() || "");
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
    );
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.html).slice(0, 3),
    }));
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    const ok = status === 200 && serious.length === 0 && firstFocus === "Skip to content";
    failed ||= !ok;
    report.push({ url, status, firstFocus, passes: result.passes.length, violations, ok });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report, null, 1));
process.exit(failed ? 1 : 0);
