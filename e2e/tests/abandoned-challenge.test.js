// A 3-D Secure challenge left open: the pay pane offers Continue authentication and Cancel this
// attempt; cancelling makes the invoice payable again, in a real browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot } from "../lib/portal.js";

const WORDS = {
  "en-US": {
    invoices: "Invoices", due: "Due", payNow: "Pay now", newCard: "Add a new card", holder: "Cardholder name",
    number: "Card number", expiry: "Expiration date (MM/YY)", cvc: "CVC", complete: "Complete",
    continue: "Continue authentication", cancel: "Cancel this attempt", failed: "Payment failed",
    abandoned: /3-D Secure check was not finished/, succeeded: "Payment succeeded",
  },
  "da-DK": {
    invoices: "Fakturaer", due: "Forfalder", payNow: "Betal nu", newCard: "Tilføj et nyt kort", holder: "Kortholders navn",
    number: "Kortnummer", expiry: "Udløbsdato (MM/ÅÅ)", cvc: "CVC", complete: "Gennemfør",
    continue: "Fortsæt godkendelsen", cancel: "Annullér dette forsøg", failed: "Betalingen mislykkedes",
    abandoned: /3-D Secure-kontrollen blev ikke gennemført/, succeeded: "Betalingen er gennemført",
  },
};

/** Signs in, opens Pay now on a Due invoice of Nordlys Drift and starts paying with the 3-D Secure
 * test card; returns the pay pane's address once the bank's page shows. */
async function startChallenge(page, baseUrl, locale, w) {
  await signIn(page, baseUrl, "admin@nordlys.example", { submit: locale === "da-DK" ? "Log på" : "Sign in" });
  await page.goto(`${baseUrl}/billing`);
  await page.getByRole("link", { name: w.invoices, exact: true }).first().click();
  const row = page
    .locator("[data-test-id=invoice-row]")
    .filter({ hasText: "Nordlys Drift" })
    .filter({ has: page.locator(`[data-test-id=invoice-status]:text-is("${w.due}")`) })
    .first();
  const payLink = row.getByRole("link", { name: w.payNow });
  const payUrl = new URL(await payLink.getAttribute("href"), baseUrl).href;
  await payLink.click();
  await page.getByRole("radio", { name: w.newCard }).check();
  await page.getByLabel(w.holder).fill("Mette Nordlys");
  await page.getByLabel(w.number, { exact: true }).fill("4000 0027 6000 3184");
  await page.getByLabel(w.expiry).fill("12/30");
  await page.getByLabel(w.cvc).fill("123");
  await page.getByRole("button", { name: w.payNow }).click();
  await page.getByRole("button", { name: w.complete }).waitFor();
  return payUrl;
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: leave a 3-D Secure challenge, continue it, then cancel and pay again`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      const payUrl = await startChallenge(page, baseUrl, locale, w);
      // The person leaves the bank's page and comes back to the invoice's Pay now.
      await page.goto(payUrl);
      const open = page.locator("[data-test-id=open-challenge]");
      await open.waitFor();
      assert.equal(await page.locator("[data-test-id=pay-submit]").count(), 0, "no second attempt while one is open");
      await shot(page, `challenge-open-${locale}`);
      await open.getByRole("link", { name: w.continue }).click();
      await page.getByRole("button", { name: w.complete }).waitFor();

      await page.goto(payUrl);
      await page.getByRole("button", { name: w.cancel }).click();
      await page.getByRole("heading", { name: w.failed }).waitFor();
      assert.match(await page.locator("[data-test-id=payment-outcome]").innerText(), w.abandoned);
      await shot(page, `challenge-cancelled-${locale}`);

      // Payable again, at once, with the saved card.
      await page.goto(payUrl);
      await page.locator("[data-test-id=pay-submit]").click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
    });
  });

  test(`${locale}: a challenge nobody finishes expires and the invoice is payable again`, async () => {
    const serveArgs = ["--authentication-timeout-secs", "2", "--janitor-tick-ms", "200", "--janitor-grace-ms", "0", "--janitor-first-retry-ms", "200"];
    await withPortal({ locale, serveArgs }, async ({ page, baseUrl }) => {
      const payUrl = await startChallenge(page, baseUrl, locale, w);
      // The janitor cancels it at the gateway once the timeout has passed.
      let payable = false;
      for (let i = 0; i < 40 && !payable; i++) {
        await page.goto(payUrl);
        payable = (await page.locator("[data-test-id=pay-submit]").count()) === 1;
        if (!payable) await page.waitForTimeout(500);
      }
      assert.ok(payable, "the invoice is payable again after the timeout");
      assert.equal(await page.locator("[data-test-id=open-challenge]").count(), 0);
    });
  });
}
