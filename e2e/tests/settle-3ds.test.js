// Settle balance with a new card that asks for 3-D Secure: the card's challenge returns to the
// Settle balance pane (with the card chosen, or saying why it was not added), and the
// settlement's own challenge to its outcome page, failed or settled; in both languages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, signIn, shot } from "../lib/portal.js";
import { seriousViolations } from "../lib/axe.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", newCard: "Add a new card", holder: "Cardholder name", number: "Card number",
    expiry: "Expiration date (MM/YY)", cvc: "CVC",
    settled: "Balance settled",
  },
  "da-DK": {
    signIn: "Log på", newCard: "Tilføj et nyt kort", holder: "Kortholders navn", number: "Kortnummer",
    expiry: "Udløbsdato (MM/ÅÅ)", cvc: "CVC",
    settled: "Saldoen er udlignet",
  },
};

async function settleWithNewCard(page, account, w) {
  await page.goto(`${account}/settle`);
  await page.getByRole("radio", { name: w.newCard }).check();
  await page.getByLabel(w.holder).fill("Dana Prairie");
  await page.getByLabel(w.number, { exact: true }).fill("4000 0027 6000 3184");
  await page.getByLabel(w.expiry).fill("12/30");
  await page.getByLabel(w.cvc).fill("123");
  await page.locator("[data-test-id=settle-submit]").click();
  // The bank's challenge for the new card (the sandbox's page).
  await page.waitForURL(/\/sandbox\/3ds\//);
}

/** The state the settlement's outcome page shows. */
async function outcome(page) {
  const shown = page.locator("[data-test-id=settlement-outcome]");
  await shown.waitFor();
  assert.match(page.url(), /\/billing\/ba_[^/]+\/settlements\//, page.url());
  return shown.getAttribute("data-state");
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: Settle balance with a 3-D Secure card returns from each challenge to the pane or the outcome`, async () => {
    await withServer(async ({ browser, baseUrl }) => {
      const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 }, bypassCSP: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15000);
      await signIn(page, baseUrl, "owner@prairie.example", { submit: w.signIn });
      await page.goto(`${baseUrl}/billing`);
      await page.waitForURL(/\/billing\/ba_/);
      const account = page.url();

      // The new card's challenge failed: back in the pane (not Payment methods), saying so.
      await settleWithNewCard(page, account, w);
      await shot(page, `settle-3ds-${locale}-card-challenge`);
      await page.locator("[data-test-id=challenge-fail]").click();
      await page.locator("[data-test-id=settle-problem]").waitFor();
      assert.match(page.url(), /\/settle\?done=setup-failed$/, page.url());
      await shot(page, `settle-3ds-${locale}-card-failed`);

      // Passed: back in the pane with the new card chosen; settling asks the bank again.
      await settleWithNewCard(page, account, w);
      await page.locator("[data-test-id=challenge-complete]").click();
      await page.waitForURL(/\/settle\?card=pm_/);
      const saved = page.getByRole("radio", { name: /3184/ });
      assert.equal(await saved.isChecked(), true, "the card just added is chosen");
      await shot(page, `settle-3ds-${locale}-card-added`);
      await page.locator("[data-test-id=settle-submit]").click();
      await page.waitForURL(/\/sandbox\/3ds\//);
      await page.locator("[data-test-id=challenge-fail]").click();
      assert.equal(await outcome(page), "failed");
      await shot(page, `settle-3ds-${locale}-failed`);

      // Again with the saved card, the challenge passed: the balance is settled.
      await page.goto(`${account}/settle`);
      await page.getByRole("radio", { name: /3184/ }).check();
      await page.locator("[data-test-id=settle-submit]").click();
      await page.waitForURL(/\/sandbox\/3ds\//);
      await page.locator("[data-test-id=challenge-complete]").click();
      assert.equal(await outcome(page), "succeeded");
      await page.getByRole("heading", { name: w.settled }).waitFor();
      const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      assert.ok(scroll <= inner, `the outcome page is ${scroll} px wide`);
      assert.deepEqual(await seriousViolations(page), []);
      await shot(page, `settle-3ds-${locale}-settled`);
      await context.close();
    });
  });
}
