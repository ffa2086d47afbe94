// Single sign-on in Debian's Chromium (headless), against the small OpenID Connect provider
// the test started (idp.mjs): on org-a (accounts matched by verified e-mail address, new
// ones made) an admin signs in to the organization console and sees its single sign-on
// page; the same person authorizes a Mastodon app through the provider (already signed in
// there); a newcomer gets an account; an unverified address is refused. On org-b (matched by
// username, no new accounts) a stranger is refused and a member signs in. Pages are checked
// with axe-core and photographed into HERD_SHOTS.
//
// Argument: JSON { "a": base URL of org-a, "b": of org-b, "client_id": an app of org-a }.
// Prints the report with the app's authorization code; exits 1 when a step fails.
import * as j from "./journey.mjs";

const { a, b, client_id } = JSON.parse(process.argv[2]);

/// From a Herd page's "Sign in with ..." link through the provider's pages (sign-in, then
/// consent, where it asks) and back to Herd, waiting until `arrived` holds of the URL.
async function viaProvider(page, login, arrived) {
  await j.submit(page, "main a[href^='/auth/sso']");
  const deadline = Date.now() + 20000;
  const pause = () => new Promise((r) => setTimeout(r, 100));
  // Pages come and go (redirects, the refresh after signing in): a look at one that is
  // leaving is tried again.
  for (;;) {
    if (Date.now() > deadline) throw new Error(`stuck at ${page.url()}`);
    try {
      const ready = (await page.evaluate(() => document.readyState)) === "complete";
      if (ready && arrived(new URL(page.url()))) return;
      if (!ready) await pause();
      else if (await page.$("input[name='login']")) {
        await page.type("input[name='login']", login);
        await page.type("input[name='password']", "any password");
        await j.submit(page, "button[type='submit']");
      } else if (await page.$("input[name='prompt'][value='consent']")) {
        await j.submit(page, "button[type='submit']");
      } else await pause();
    } catch (e) {
      // A page that went away under the look (its context destroyed or no longer found).
      if (!/context|detached|navigat/i.test(String(e))) throw e;
      await pause();
    }
  }
}

const at = (base, path) => (u) => u.origin === new URL(base).origin && u.pathname === path;

try {
  const admin = await j.freshPage();
  await j.step(admin, "an admin signs in through the organization's provider", async () => {
    await admin.goto(`${a}/auth/sign_in`, { waitUntil: "load" });
    await j.expectText(admin, "Sign in with Example ID");
    await j.check(admin, "sso-sign-in");
    await viaProvider(admin, "alice", at(a, "/admin"));
    await j.expectText(admin, "Overview");
  });
  await j.step(admin, "the single sign-on page, and a provider that cannot be used refused", async () => {
    await admin.goto(`${a}/admin/sso`, { waitUntil: "load" });
    await j.expectText(admin, "Single sign-on is on");
    await j.expectText(admin, `${a}/auth/sso/callback`);
    await j.check(admin, "org-sso");
    await admin.$eval("#issuer", (e) => { e.value = ""; });
    await j.fill(admin, "form[action='/admin/sso']", { issuer: "http://127.0.0.1:9/nothing" });
    await j.expectText(admin, "could not be used");
    await j.check(admin, "org-sso-refused");
    await admin.goto(`${a}/admin/sso`, { waitUntil: "load" });
    await j.expectText(admin, "Single sign-on is on");
  });
  await j.step(admin, "the same person authorizes an app, already signed in at the provider", async () => {
    const q = new URLSearchParams({ response_type: "code", client_id, redirect_uri: "urn:ietf:wg:oauth:2.0:oob", scope: "read write" });
    await admin.goto(`${a}/oauth/authorize?${q}`, { waitUntil: "load" });
    await viaProvider(admin, "alice", at(a, "/auth/sso/callback"));
    await j.expectText(admin, "Signed in as @alice");
    await j.check(admin, "oauth-sso-consent");
    await j.submit(admin, "main form button[type='submit']");
    j.report.code = await admin.$eval("main code", (e) => e.textContent.trim());
  });
  const newcomer = await j.freshPage();
  await j.step(newcomer, "a newcomer gets an account", async () => {
    await newcomer.goto(`${a}/auth/sign_in`, { waitUntil: "load" });
    await viaProvider(newcomer, "newbie", at(a, "/settings/two-factor"));
    await j.expectText(newcomer, "newbie");
  });
  const unverified = await j.freshPage();
  await j.step(unverified, "an address the provider has not verified matches nothing", async () => {
    await unverified.goto(`${a}/auth/sign_in`, { waitUntil: "load" });
    await viaProvider(unverified, "unverified", at(a, "/auth/sso/callback"));
    await j.expectText(unverified, "has not verified your e-mail address");
    await j.check(unverified, "sso-refused");
  });
  const stranger = await j.freshPage();
  await j.step(stranger, "org-b makes no accounts: a stranger is refused", async () => {
    await stranger.goto(`${b}/auth/sign_in`, { waitUntil: "load" });
    await viaProvider(stranger, "stranger", at(b, "/auth/sso/callback"));
    await j.expectText(stranger, "No account on");
  });
  const member = await j.freshPage();
  await j.step(member, "org-b matches a member by username", async () => {
    await member.goto(`${b}/auth/sign_in`, { waitUntil: "load" });
    await viaProvider(member, "bob", at(b, "/settings/two-factor"));
    await j.expectText(member, "bob");
  });
} catch {
  // Recorded in the step.
}
await j.finish();
