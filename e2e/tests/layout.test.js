// Every portal page as the admin, in both languages, on a laptop and on a phone: nothing scrolls
// sideways, and a screenshot of each page is written for a person to look at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, signIn, shot } from "../lib/portal.js";
import { seriousViolations } from "../lib/axe.js";

export const VIEWPORTS = [
  { name: "1280", width: 1280, height: 800 },
  { name: "390", width: 390, height: 844 },
];
export const LOCALES = [
  { locale: "en-US", signIn: "Sign in" },
  { locale: "da-DK", signIn: "Log på" },
];

/** The pages the admin of Nordlys can open, found by following the portal's own links. */
export async function portalPages(page, baseUrl) {
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
  const account = new URL(page.url()).pathname.split("/")[2];
  const billing = `/billing/${account}`;
  await page.goto(`${baseUrl}${billing}/invoices`);
  const payable = await page.locator("[data-test-id=pay-now]").first().getAttribute("href");
  const invoice = payable.replace(/\/pay$/, "");
  await page.goto(`${baseUrl}/help?q=pay+an+invoice`);
  const article = await page.locator("[data-test-id=help-alternatives] a").first().getAttribute("href");
  return [
    ["portal", "/portal"],
    ["search", "/search?q=invoice"],
    ["overview", billing],
    ["invoices", `${billing}/invoices`],
    ["invoice-detail", invoice],
    ["pay", payable],
    ["payment-methods", `${billing}/payment-methods`],
    ["properties", `${billing}/properties`],
    ["access", `${billing}/access`],
    ["activity", `${billing}/activity`],
    ["help", "/help"],
    ["help-answer", "/help?q=pay+an+invoice"],
    ["help-article", article],
    ["help-requests", "/help/requests"],
    ["notifications", "/account/notifications"],
    ["tokens", "/account/tokens"],
    ["api", "/api"],
  ];
}

/** Signs the admin in within a fresh context of this locale and size; the page. */
export async function adminPage(browser, baseUrl, { locale, signIn: submit }, viewport) {
  // bypassCSP: the page's policy would refuse the injected axe-core script.
  const context = await browser.newContext({ locale, viewport: { width: viewport.width, height: viewport.height }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await signIn(page, baseUrl, "admin@nordlys.example", { submit });
  return page;
}

test("no portal page scrolls sideways or has a serious axe violation, at 1280 and 390 px, in both languages", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    const wide = [];
    const axe = [];
    for (const lang of LOCALES) {
      for (const viewport of VIEWPORTS) {
        const page = await adminPage(browser, baseUrl, lang, viewport);
        for (const [name, path] of await portalPages(page, baseUrl)) {
          const response = await page.goto(`${baseUrl}${path}`);
          assert.ok(response.ok(), `${path} answered ${response.status()}`);
          const { scroll, inner } = await page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            inner: window.innerWidth,
          }));
          if (scroll > inner) wide.push(`${lang.locale} ${viewport.name}: ${name} is ${scroll} px wide (${path})`);
          // Amounts and IBANs stay on one line: no such value is taller than one line of its text.
          const broken = await page.evaluate(() => [...document.querySelectorAll(".num, .amount, .money, .iban")]
            .filter((el) => el.textContent.trim() && el.getClientRects().length)
            .filter((el) => {
              const range = document.createRange();
              range.selectNodeContents(el);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              return lines.size > 1;
            })
            .map((el) => el.textContent.trim()));
          for (const value of broken) wide.push(`${lang.locale} ${viewport.name}: ${name} wraps "${value}"`);
          for (const v of await seriousViolations(page)) axe.push(`${lang.locale} ${viewport.name} ${name}: ${v}`);
          await shot(page, `layout-${lang.locale}-${viewport.name}-${name}`);
        }
        await page.context().close();
        // Settle balance is for pay-as-you-go accounts: its owner's pane too.
        const owner = await browser.newContext({ locale: lang.locale, viewport: { width: viewport.width, height: viewport.height }, bypassCSP: true });
        const settle = await owner.newPage();
        await signIn(settle, baseUrl, "owner@prairie.example", { submit: lang.signIn });
        await settle.goto(`${baseUrl}/billing`);
        await settle.waitForURL(/\/billing\/ba_/);
        await settle.goto(`${settle.url()}/settle`);
        const { scroll, inner } = await settle.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        if (scroll > inner) wide.push(`${lang.locale} ${viewport.name}: settle is ${scroll} px wide`);
        for (const v of await seriousViolations(settle)) axe.push(`${lang.locale} ${viewport.name} settle: ${v}`);
        await shot(settle, `layout-${lang.locale}-${viewport.name}-settle`);
        await owner.close();
      }
    }
    assert.deepEqual(wide, [], wide.join("\n"));
    assert.deepEqual(axe, [], axe.join("\n"));
  });
});

test("at 1280 px the Download link of every invoice row is in view", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    for (const lang of LOCALES) {
      const page = await adminPage(browser, baseUrl, lang, VIEWPORTS[0]);
      const invoices = new Map(await portalPages(page, baseUrl)).get("invoices");
      await page.goto(`${baseUrl}${invoices}`);
      const wrap = await page.locator("[data-test-id=invoice-table]").locator("xpath=..").boundingBox();
      const right = Math.min(1280, wrap.x + wrap.width);
      const links = page.locator("[data-test-id=download-invoice]");
      const count = await links.count();
      assert.ok(count > 0);
      for (let i = 0; i < count; i++) {
        const box = await links.nth(i).boundingBox();
        assert.ok(box && box.x + box.width <= right, `${lang.locale}: Download of row ${i} ends at ${box && box.x + box.width}`);
      }
      await page.context().close();
    }
  });
});

test("on a phone the service menu folds behind the Menu button", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    const page = await adminPage(browser, baseUrl, LOCALES[0], VIEWPORTS[1]);
    await page.goto(`${baseUrl}/billing`);
    await page.waitForURL(/\/billing\/ba_/);
    const button = page.getByRole("button", { name: "Menu" });
    const invoices = page.locator("[data-test-id=nav-invoices]");
    assert.equal(await button.getAttribute("aria-expanded"), "false");
    assert.equal(await invoices.isVisible(), false, "the menu starts folded");
    await button.click();
    assert.equal(await button.getAttribute("aria-expanded"), "true");
    assert.equal(await invoices.isVisible(), true);
    await shot(page, "layout-en-US-390-menu-open");
    await invoices.click();
    await page.waitForURL(/\/invoices/);
    await page.context().close();
  });
});
