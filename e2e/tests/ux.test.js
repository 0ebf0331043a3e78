// The portal as a keyboard and screen-reader user meets it: selects that wait for an explicit
// action, the error summary that takes the focus after a failed submit, the "Save this card for
// later" choice, Settle balance with a new card, the breadcrumb trail, and refusals inside the
// service. Screenshots at 1280 and 390 px in both languages; axe-core on each view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, signIn, shot } from "../lib/portal.js";
import { seriousViolations } from "../lib/axe.js";

const VIEWPORTS = [
  { name: "1280", width: 1280, height: 800 },
  { name: "390", width: 390, height: 844 },
];
const LOCALES = [{ locale: "en-US" }, { locale: "da-DK" }];

const WORDS = {
  "en-US": {
    signIn: "Sign in", newCard: "Add a new card", holder: "Cardholder name", number: "Card number",
    expiry: "Expiration date (MM/YY)", cvc: "CVC", payNow: "Pay now", save: "Save this card for later",
    problem: "There is a problem", settled: "Balance settled", apply: "Apply", change: "Change",
    refused: "You don't have access",
  },
  "da-DK": {
    signIn: "Log på", newCard: "Tilføj et nyt kort", holder: "Kortholders navn", number: "Kortnummer",
    expiry: "Udløbsdato (MM/ÅÅ)", cvc: "CVC", payNow: "Betal nu", save: "Gem kortet til senere",
    problem: "Der er et problem", settled: "Saldoen er udlignet", apply: "Anvend", change: "Skift",
    refused: "Du har ikke adgang",
  },
};

async function newPage(browser, baseUrl, email, locale, viewport) {
  const context = await browser.newContext({ locale, viewport: { width: viewport.width, height: viewport.height }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await signIn(page, baseUrl, email, { submit: WORDS[locale].signIn });
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
  return page;
}

/** Nothing scrolls sideways and axe finds nothing serious; then the screenshot. */
async function look(page, name, problems) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  if (scroll > inner) problems.push(`${name} is ${scroll} px wide`);
  for (const v of await seriousViolations(page)) problems.push(`${name}: ${v}`);
  await shot(page, name);
}

test("the scope and language selects change nothing until Apply, or Enter", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    const page = await newPage(browser, baseUrl, "admin@nordlys.example", "en-US", VIEWPORTS[0]);
    await page.goto(`${page.url()}/invoices`);
    const before = page.url();
    const scope = page.locator("#scope");
    await scope.focus();
    await page.keyboard.press("ArrowDown");
    await page.waitForTimeout(400);
    assert.equal(page.url(), before, "the first arrow key does not leave the page");
    assert.ok(await page.locator("[data-test-id=scope-apply]").isVisible(), "Apply is shown");
    const chosen = await scope.inputValue();
    assert.ok(chosen.startsWith("bp_"), chosen);
    await Promise.all([page.waitForURL((url) => url.search.includes(`profile=${chosen}`)), page.keyboard.press("Enter")]);

    const language = page.locator("#language-select");
    await language.focus();
    await page.keyboard.press("ArrowDown");
    await page.waitForTimeout(400);
    assert.equal(await page.locator("html").getAttribute("lang"), "en", "still English after the arrow key");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: WORDS["en-US"].change }).click()]);
    assert.equal(await page.locator("html").getAttribute("lang"), "da");
    await page.context().close();
  });
});

test("pay with a new card: Save this card for later, and the error summary takes the focus, at both widths in both languages", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    const problems = [];
    for (const { locale } of LOCALES) {
      const w = WORDS[locale];
      for (const viewport of VIEWPORTS) {
        const page = await newPage(browser, baseUrl, "admin@nordlys.example", locale, viewport);
        const account = page.url();
        await page.goto(`${account}/invoices`);
        // Nordlys Drift's invoice: the other profile's Due invoice is above the card limit.
        const pay = await page
          .locator("[data-test-id=invoice-row]")
          .filter({ hasText: "Nordlys Drift" })
          .locator("[data-test-id=pay-now]")
          .first()
          .getAttribute("href");
        await page.goto(`${baseUrl}${pay}`);
        await page.getByRole("radio", { name: w.newCard }).check();
        const save = page.getByRole("checkbox", { name: w.save });
        assert.equal(await save.isChecked(), false, "unticked until the payer ticks it");
        await look(page, `ux-${locale}-${viewport.name}-pay-new-card`, problems);

        await page.getByLabel(w.holder).fill("Mette Nordlys");
        await page.getByLabel(w.number, { exact: true }).fill("4242 4242 4242 4241");
        await page.getByLabel(w.expiry).fill("12/30");
        await page.getByLabel(w.cvc).fill("123");
        await save.check();
        await page.locator("[data-test-id=pay-submit]").click();
        const summary = page.locator("[data-error-summary]");
        await summary.waitFor();
        assert.ok(await summary.getByRole("heading", { name: w.problem }).isVisible());
        assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true, "the summary has the focus");
        assert.equal(await page.getByRole("checkbox", { name: w.save }).isChecked(), true, "the tick is kept");
        const number = page.getByLabel(w.number, { exact: true });
        assert.equal(await number.getAttribute("aria-invalid"), "true");
        assert.equal(await number.getAttribute("aria-describedby"), "number-error");
        await look(page, `ux-${locale}-${viewport.name}-pay-error-summary`, problems);
        await summary.getByRole("link").first().click();
        assert.equal(await page.evaluate(() => document.activeElement?.id), "number", "the link moves the focus to its field");
        await page.context().close();
      }
    }
    assert.deepEqual(problems, [], problems.join("\n"));
  });
});

test("Settle balance with a new card, the trail, and a refusal inside the service, at both widths in both languages", async () => {
  await withServer(async ({ browser, baseUrl }) => {
    const problems = [];
    for (const { locale } of LOCALES) {
      const w = WORDS[locale];
      for (const viewport of VIEWPORTS) {
        const owner = await newPage(browser, baseUrl, "owner@prairie.example", locale, viewport);
        await owner.goto(`${owner.url()}/settle`);
        const radio = owner.getByRole("radio", { name: w.newCard });
        assert.equal(await radio.isChecked(), true, "no saved card: the new card is chosen");
        await look(owner, `ux-${locale}-${viewport.name}-settle-new-card`, problems);
        // Pay once, in the last view (the balance is then settled); the others only look.
        if (locale === "da-DK" && viewport.name === "390") {
          await owner.getByLabel(w.holder).fill("Dana Prairie");
          await owner.getByLabel(w.number, { exact: true }).fill("4242 4242 4242 4242");
          await owner.getByLabel(w.expiry).fill("12/30");
          await owner.getByLabel(w.cvc).fill("123");
          await owner.locator("[data-test-id=settle-submit]").click();
          await owner.getByRole("heading", { name: w.settled }).waitFor();
          await look(owner, `ux-${locale}-${viewport.name}-settled`, problems);
        }
        await owner.context().close();

        const reader = await newPage(browser, baseUrl, "reader@nordlys.example", locale, viewport);
        const account = reader.url();
        await reader.goto(`${account}/invoices`);
        // The invoice number links to the invoice; its Pay now is not for a reader.
        const detail = await reader.locator("[data-test-id=invoice-row] a").first().getAttribute("href");
        const response = await reader.goto(`${baseUrl}${detail}/pay`);
        assert.equal(response.status(), 403, `${detail}/pay`);
        await reader.getByRole("heading", { name: w.refused }).waitFor();
        assert.equal(await reader.locator("#service-menu").count(), 1, "the menu is there");
        const current = await reader.locator("[data-test-id=breadcrumb] [aria-current=page]").innerText();
        assert.equal(current, w.refused);
        await look(reader, `ux-${locale}-${viewport.name}-refused`, problems);
        await reader.context().close();
      }
    }
    assert.deepEqual(problems, [], problems.join("\n"));
  });
});
