// The operator's journey through the provider console in Debian's Chromium (headless), as a
// person does it: first sign-in with the second factor set up from the key shown, an
// organization made, a hosted and an external instance, services booked, a contact, usage,
// plans and the audit log, the instance's admin invited; then signing out and in again with
// a TOTP code. Then the organization's admin on the instance's own domain: the organization
// console (bookings, usage, audit trail, staff, rules, settings, emoji, announcements), two-
// factor authentication turned on, and a sign-in with a code. Every page the
// journey reaches is checked with axe-core's WCAG 2.1 A/AA rules and photographed into
// HERD_SHOTS. Prints one JSON report; exits 1 when a step fails or a page has a serious or
// critical violation.
//
// Arguments: the console's base URL, the staff e-mail address and password, the hosted
// instance's domain. HERD_RESOLVE_RULES goes to --host-resolver-rules.
import { createHmac } from "node:crypto";
import * as j from "./journey.mjs";

const [base, email, password, instance] = process.argv.slice(2);

// RFC 6238 with SHA-1, six digits, 30-second steps, from the base32 key the page shows.
function totp(key, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac("sha1", bytes).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return ((h.readUInt32BE(o) & 0x7fffffff) % 1000000).toString().padStart(6, "0");
}

const page = await j.freshPage();
const check = (name) => j.check(page, name);
const step = (name, f) => j.step(page, name, f);
const submit = (selector) => j.submit(page, selector);
const fill = (form, fields) => j.fill(page, form, fields);
const expectText = (text) => j.expectText(page, text);

let key = "";
try {
  await step("first sign-in sets up the second factor", async () => {
    await page.goto(`${base}/sign-in`, { waitUntil: "load" });
    await check("sign-in");
    await fill("main form", { email, password });
    if (!page.url().endsWith("/sign-in/setup")) throw new Error(`at ${page.url()}`);
    await check("two-factor-setup");
    key = await page.$eval("#secret", (e) => e.textContent.trim());
    await fill("main form", { code: totp(key) });
    await expectText("Your recovery codes");
    await check("recovery-codes");
    await submit("main a[href='/']");
    await expectText("Organizations");
  });
  await step("an organization", async () => {
    await check("organizations");
    await fill("form[action='/organizations']", { name: "Land Schleswig-Holstein", slug: "land-sh" });
    await expectText("Land Schleswig-Holstein");
  });
  const org = "/organizations/land-sh";
  await step("a hosted and an external instance", async () => {
    await fill(`form[action='${org}/instances']`, { domain: instance, title: "Social SH", registrations: "approval" });
    await fill(`form[action='${org}/externals']`, { domain: "mastodon.example-ministry.test" });
    await expectText("mastodon.example-ministry.test");
  });
  await step("bookings: backups and moderation for the instance, support for the organization", async () => {
    await fill(`form[action='${org}/bookings']`, { service: "backups", instance, backup_every: "24h", backup_keep: "14" });
    await fill(`form[action='${org}/bookings']`, { service: "moderation", instance, response: "4h", coverage: "24/7" });
    await fill(`form[action='${org}/bookings']`, { service: "support", instance: "", coverage: "mon-fri 09:00-17:00 Europe/Berlin" });
    await expectText("response 4 h, 24/7");
    await expectText("mon-fri 09:00-17:00 Europe/Berlin");
  });
  await step("its admin as a contact", async () => {
    await fill(`form[action='${org}/contacts']`, { name: "Ada Admin", email: "ada@example-sh.test", role: "admin" });
    await expectText("Ada Admin");
    await check("organization");
  });
  await step("usage, plans and the audit log", async () => {
    await page.goto(`${base}${org}/usage`, { waitUntil: "load" });
    await expectText("Active users per day");
    await check("usage");
    await page.goto(`${base}/plans`, { waitUntil: "load" });
    await check("plans");
    await page.goto(`${base}/audit?org=land-sh`, { waitUntil: "load" });
    await expectText("booking.create");
    await check("audit");
  });
  let ownerPassword = "";
  await step("the instance's admin invited", async () => {
    await page.goto(`${base}${org}`, { waitUntil: "load" });
    await fill(`form[action='${org}/owners']`, { username: "ada", email: "ada@example-sh.test" });
    ownerPassword = await page.$eval("#new-password", (e) => e.textContent.trim());
    await check("invited");
  });
  await step("signing out and in again with a code", async () => {
    await submit("form.sign-out button");
    await fill("main form", { email, password });
    if (!page.url().endsWith("/sign-in/two-factor")) throw new Error(`at ${page.url()}`);
    await check("two-factor");
    // The enrolment used this step's code; the next step's is accepted (and is new).
    await fill("main form", { code: totp(key, Date.now() + 30000) });
    await expectText("Land Schleswig-Holstein");
  });

  // The organization's admin, on the instance's own domain.
  const site = `http://${instance}`;
  await step("the admin signs in on the instance and sees the organization console", async () => {
    await page.goto(`${site}/admin`, { waitUntil: "load" });
    if (!page.url().includes("/auth/sign_in")) throw new Error(`at ${page.url()}`);
    await check("instance-sign-in");
    await fill("main form", { email: "ada", password: ownerPassword });
    if (!page.url().endsWith("/admin")) throw new Error(`at ${page.url()}`);
    await expectText("Land Schleswig-Holstein");
    await expectText("response 4 h, 24/7");
    await expectText("mon-fri 09:00-17:00 Europe/Berlin");
    await check("org-overview");
  });
  await step("usage and who did what in the organization's name", async () => {
    await page.goto(`${site}/admin/usage`, { waitUntil: "load" });
    await expectText("Active users per day");
    await check("org-usage");
    await page.goto(`${site}/admin/audit`, { waitUntil: "load" });
    await expectText("booking.create");
    await expectText("(provider)");
    await check("org-audit");
  });
  await step("a moderator invited", async () => {
    await page.goto(`${site}/admin/accounts`, { waitUntil: "load" });
    await fill("form[action='/admin/accounts']", { username: "mod", email: "mod@example-sh.test", role: "moderator" });
    await expectText("@mod");
    await check("org-accounts");
  });
  await step("a rule, the settings, an announcement", async () => {
    await page.goto(`${site}/admin/rules`, { waitUntil: "load" });
    await fill("form[action='/admin/rules']", { text: "Be kind to each other" });
    await expectText("Be kind to each other");
    await check("org-rules");
    await page.goto(`${site}/admin/settings`, { waitUntil: "load" });
    await check("org-settings");
    await page.click("#registrations-closed");
    await submit("main form button[type='submit']");
    if (!(await page.$eval("#registrations-closed", (e) => e.checked))) throw new Error("registrations not closed");
    await page.goto(`${site}/admin/emoji`, { waitUntil: "load" });
    await check("org-emoji");
    await page.goto(`${site}/admin/announcements`, { waitUntil: "load" });
    await fill("form[action='/admin/announcements']", { text: "Welcome to the state's instance" });
    await expectText("Welcome to the state's instance");
    await check("org-announcements");
    await page.goto(`${site}/admin/teams`, { waitUntil: "load" });
    await fill("form[action='/admin/teams']", { username: "press", email: "press@example-sh.test" });
    await expectText("@press");
    await fill("main section form", { username: "mod" });
    await check("org-teams");
  });
  let ownKey = "";
  await step("the admin turns on two-factor authentication", async () => {
    await page.goto(`${site}/settings/two-factor`, { waitUntil: "load" });
    await check("account-two-factor");
    await submit("form[action='/settings/two-factor/setup'] button");
    await check("account-two-factor-setup");
    ownKey = await page.$eval("#secret", (e) => e.textContent.trim());
    await fill("main form", { code: totp(ownKey) });
    await expectText("Your recovery codes");
    await check("account-recovery-codes");
  });
  await step("the admin signs in again with a code", async () => {
    await submit("form.sign-out button");
    await fill("main form", { email: "ada@example-sh.test", password: ownerPassword });
    if (!page.url().includes("/auth/sign_in/two-factor")) throw new Error(`at ${page.url()}`);
    await check("instance-two-factor");
    await fill("main form", { code: totp(ownKey, Date.now() + 30000) });
    if (!page.url().endsWith("/admin")) throw new Error(`at ${page.url()}`);
    await expectText("Land Schleswig-Holstein");
  });
} catch {
  // Recorded in the step.
}
await j.finish();
