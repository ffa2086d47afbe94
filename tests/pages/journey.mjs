// What the browser journeys (console.mjs, sso.mjs) share: Debian's Chromium, headless, with
// HERD_RESOLVE_RULES as its --host-resolver-rules; axe-core's WCAG 2.1 A/AA check of a page
// with its picture in HERD_SHOTS; named steps; forms filled as a person does. The report
// (pages checked, steps taken) is printed as one JSON document at the end.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const shots = process.env.HERD_SHOTS || "";
if (shots) mkdirSync(shots, { recursive: true });

export const report = { pages: [], steps: [] };
let failed = false;

export const browser = await puppeteer.launch({
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

/// A page in a browser context of its own (no cookies shared with the others).
export async function freshPage() {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1100, height: 1200 });
  // axe is a script; the console forbids scripts, so the check lifts the policy for itself.
  await page.setBypassCSP(true);
  return page;
}

export async function check(page, name) {
  const url = page.url();
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.html).slice(0, 3) }));
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  const ok = serious.length === 0;
  failed ||= !ok;
  report.pages.push({ name, url, passes: result.passes.length, violations, ok });
}

export async function step(page, name, f) {
  try {
    await f();
    report.steps.push({ name, ok: true });
  } catch (e) {
    failed = true;
    report.steps.push({ name, ok: false, error: String(e), url: page.url() });
    throw e;
  }
}

export async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

export async function fill(page, form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    const sel = `${form} [name="${name}"]`;
    const tag = await page.$eval(sel, (e) => e.tagName);
    if (tag === "SELECT") await page.select(sel, value);
    else await page.type(sel, value);
  }
  await submit(page, `${form} button[type="submit"]`);
}

export async function expectText(page, text) {
  const body = await page.evaluate(() => document.body.innerText);
  if (!body.includes(text)) throw new Error(`"${text}" not on ${page.url()}`);
}

/// Prints the report and exits: 1 when a step failed or a page has a serious violation.
export async function finish() {
  await browser.close();
  console.log(JSON.stringify(report, null, 1));
  process.exit(failed ? 1 : 0);
}
