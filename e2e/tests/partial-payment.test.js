// A pay-as-you-go customer pays part of an invoice after a declined card, then the rest, in a
// real browser, in both languages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot } from "../lib/portal.js";
import { seriousViolations } from "../lib/axe.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", invoices: "Invoices", payNow: "Pay now", newCard: "Add a new card", holder: "Cardholder name",
    number: "Card number", expiry: "Expiration date (MM/YY)", cvc: "CVC", failed: "Payment failed",
    succeeded: "Payment succeeded", another: "Pay another amount", amountLabel: /^Amount in USD/, part: "50.00",
    partPaid: /\$50\.00 paid so far/, save: "Save this card for later", stillDue: /still has .* due/, nowPaid: /is now paid/, paid: "Paid",
  },
  "da-DK": {
    signIn: "Log på", invoices: "Fakturaer", payNow: "Betal nu", newCard: "Tilføj et nyt kort", holder: "Kortholders navn",
    number: "Kortnummer", expiry: "Udløbsdato (MM/ÅÅ)", cvc: "CVC", failed: "Betalingen mislykkedes",
    succeeded: "Betalingen er gennemført", another: "Betal et andet beløb", amountLabel: /^Beløb i USD/, part: "50,00",
    partPaid: /50,00 USD er betalt indtil nu/, save: "Gem kortet til senere", stillDue: /der mangler stadig/, nowPaid: /er nu betalt/, paid: "Betalt",
  },
};

async function newCard(page, w, number) {
  await page.getByRole("radio", { name: w.newCard }).check();
  await page.getByLabel(w.holder).fill("Dana Prairie");
  await page.getByLabel(w.number, { exact: true }).fill(number);
  await page.getByLabel(w.expiry).fill("12/30");
  await page.getByLabel(w.cvc).fill("123");
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: pay part of an invoice after a decline, then the rest`, async () => {
    await withPortal({ locale, bypassCSP: true }, async ({ page, baseUrl }) => {
      await signIn(page, baseUrl, "owner@prairie.example", { submit: w.signIn });
      await page.goto(`${baseUrl}/billing`);
      await page.getByRole("link", { name: w.invoices, exact: true }).first().click();
      const payLink = page.locator("[data-test-id=invoice-row]").getByRole("link", { name: w.payNow }).first();
      const payUrl = new URL(await payLink.getAttribute("href"), baseUrl).href;
      await payLink.click();
      assert.equal(await page.getByRole("radio", { name: w.another }).count(), 0, "in full before a failed attempt");

      // The bank declines the first card.
      await newCard(page, w, "4000 0000 0000 0002");
      await page.getByRole("button", { name: w.payNow }).click();
      await page.getByRole("heading", { name: w.failed }).waitFor();

      // Now part of it may be paid: the amount field shows once "Pay another amount" is chosen.
      await page.goto(payUrl);
      const amount = page.getByLabel(w.amountLabel);
      assert.equal(await amount.isVisible(), false, "hidden while the amount due is chosen");
      await page.getByRole("radio", { name: w.another }).check();
      await amount.waitFor();
      await amount.fill(w.part);
      await newCard(page, w, "4242 4242 4242 4242");
      await page.getByRole("checkbox", { name: w.save }).check();
      assert.deepEqual(await seriousViolations(page), []);
      await shot(page, `partial-choose-${locale}`);
      await page.getByRole("button", { name: w.payNow }).click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
      assert.match(await page.locator("main").innerText(), w.stillDue);
      await shot(page, `partial-paid-part-${locale}`);

      // The rest, with the card just saved (chosen by default) and the amount due.
      await page.goto(payUrl);
      assert.match(await page.locator("[data-test-id=pay-part-paid]").innerText(), w.partPaid);
      await page.getByRole("button", { name: w.payNow }).click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
      assert.match(await page.locator("main").innerText(), w.nowPaid);
      await page.goto(payUrl);
      assert.equal(await page.locator("[data-test-id=pay-submit]").count(), 0, "nothing left to pay");
    });
  });
}
