// Payment methods, Settle balance, access control and invoice PDFs, as a person clicks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withPortal, signIn, shot, mailsTo, waitForMail, SCREENSHOTS, PASSWORD } from "../lib/portal.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", methods: "Payment methods", add: "Add", setDefault: "Set as default", detach: "Detach",
    holder: "Cardholder name", number: "Card number", expiry: "Expiration date (MM/YY)", cvc: "CVC",
    settle: "Settle balance", paid: "Paid", access: "Access control (IAM)", remove: "Remove", download: "Download",
    invoices: "Invoices", complete: "Complete", replace: "Replace",
  },
  "da-DK": {
    signIn: "Log på", methods: "Betalingsmetoder", add: "Tilføj", setDefault: "Angiv som standard", detach: "Frakobl",
    holder: "Kortholders navn", number: "Kortnummer", expiry: "Udløbsdato (MM/ÅÅ)", cvc: "CVC",
    settle: "Udlign saldo", paid: "Betalt", access: "Adgangsstyring (IAM)", remove: "Fjern", download: "Hent",
    invoices: "Fakturaer", complete: "Gennemfør", replace: "Erstat",
  },
};

async function openBilling(page, baseUrl) {
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
}

async function fillCard(page, w, number) {
  await page.getByLabel(w.holder).fill("Mette Nordlys");
  await page.getByLabel(w.number).fill(number);
  await page.getByLabel(w.expiry).fill("12/34");
  await page.getByLabel(w.cvc).fill("123");
}

function row(page, last4) {
  return page.locator(`[data-test-id=card-row][data-last4="${last4}"]`);
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];

  test(`${locale}: add a card, set it as default, detach, refused detach, 3-D Secure replace`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      const prefix = `${locale}-methods`;
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      await openBilling(page, baseUrl);
      await page.getByRole("link", { name: w.methods, exact: true }).click();
      await page.waitForURL(/payment-methods/);
      await row(page, "4242").waitFor();
      await shot(page, `${prefix}-1-list`);

      await page.locator("[data-test-id=add-card]").click();
      await fillCard(page, w, "5555 5555 5555 4444");
      await shot(page, `${prefix}-2-add-form`);
      await page.locator("[data-test-id=save-card]").click();
      await row(page, "4444").waitFor();
      assert.equal(await row(page, "4444").getAttribute("data-default"), "false");

      await row(page, "4444").getByRole("button", { name: w.setDefault }).click();
      await page.locator('[data-test-id=card-row][data-last4="4444"][data-default="true"]').waitFor();
      await shot(page, `${prefix}-3-new-default`);

      // The default of a profile with unpaid invoices cannot be detached: the reason is shown.
      await row(page, "4444").getByRole("button", { name: w.detach }).click();
      await page.locator("[data-test-id=confirm]").waitFor();
      await page.locator("[data-test-id=confirm-submit]").click();
      await page.locator("[data-test-id=methods-problem]").waitFor();
      await shot(page, `${prefix}-4-detach-refused`);
      assert.equal(await page.locator("[data-test-id=card-row]").count(), 2);

      await row(page, "4242").getByRole("button", { name: w.detach }).click();
      // The confirmation names the card; Cancel goes back with nothing changed.
      await page.getByRole("heading", { name: new RegExp(`•••• 4242\\?$`) }).waitFor();
      await shot(page, `${prefix}-5a-confirm-detach`);
      await page.locator("[data-test-id=confirm-cancel]").click();
      await row(page, "4242").waitFor();
      await row(page, "4242").getByRole("button", { name: w.detach }).click();
      await page.locator("[data-test-id=confirm-submit]").click();
      await page.locator("[data-test-id=methods-notice]").waitFor();
      assert.equal(await row(page, "4242").count(), 0);
      await shot(page, `${prefix}-5-detached`);

      // Replace with the card that asks for 3-D Secure.
      await row(page, "4444").getByRole("link", { name: w.replace }).click();
      await fillCard(page, w, "4000 0027 6000 3184");
      await page.locator("[data-test-id=save-card]").click();
      await page.waitForURL(/\/sandbox\/3ds\//);
      await shot(page, `${prefix}-6-3ds`);
      await page.getByRole("button", { name: w.complete }).click();
      await page.locator('[data-test-id=card-row][data-last4="3184"][data-default="true"]').waitFor();
      await shot(page, `${prefix}-7-replaced`);
    });
  });
}

test("da-DK: Settle balance pays every outstanding invoice of a pay-as-you-go account", async () => {
  const w = WORDS["da-DK"];
  await withPortal({ locale: "da-DK" }, async ({ page, baseUrl }) => {
    const prefix = "da-DK-settle";
    await signIn(page, baseUrl, "owner@prairie.example", { submit: w.signIn });
    await openBilling(page, baseUrl);
    await page.getByRole("link", { name: w.invoices, exact: true }).click();
    await page.locator("[data-test-id=settle-banner]").waitFor();
    await shot(page, `${prefix}-1-banner`);
    // No card yet: add one under Betalingsmetoder first.
    await page.getByRole("link", { name: w.methods, exact: true }).click();
    await page.locator("[data-test-id=add-card]").click();
    await fillCard(page, w, "4242 4242 4242 4242");
    await page.locator("[data-test-id=save-card]").click();
    await row(page, "4242").waitFor();
    await page.locator("[data-test-id=settle-balance]").click();
    await page.locator("[data-test-id=settle-pane]").waitFor();
    const rows = await page.locator("[data-test-id=settle-row]").count();
    assert.ok(rows >= 1);
    await shot(page, `${prefix}-2-pane`);
    await page.locator("[data-test-id=settle-submit]").click();
    await page.locator('[data-test-id=settlement-outcome][data-state="succeeded"]').waitFor();
    await shot(page, `${prefix}-3-settled`);
    const statuses = await page.locator("[data-test-id=invoice-status]").allTextContents();
    assert.equal(statuses.length, rows);
    assert.ok(statuses.every((s) => s.trim() === w.paid), statuses.join(","));
    await page.locator("[data-test-id=back-to-invoices]").click();
    assert.equal(await page.locator("[data-test-id=settle-banner]").count(), 0);
    await shot(page, `${prefix}-4-invoices`);
  });
});

test("en-US: IAM add an unknown user (invitation mailed to them), they set a password, then remove them", async () => {
  const w = WORDS["en-US"];
  await withPortal({ locale: "en-US" }, async ({ page, baseUrl, mailDir }) => {
    const prefix = "en-US-iam";
    await signIn(page, baseUrl, "admin@nordlys.example");
    await openBilling(page, baseUrl);
    await page.getByRole("link", { name: w.access, exact: true }).click();
    await page.locator("[data-test-id=my-access]").waitFor();
    await shot(page, `${prefix}-1-access`);
    await page.locator("#grant-email").fill("new.colleague@nordlys.example");
    await page.locator("#grant-scope").selectOption({ label: "Billing profile: Nordlys Drift" });
    await page.locator("#grant-role").selectOption("BillingProfileContributor");
    await page.locator("[data-test-id=grant-submit]").click();
    // The link goes to the invited mailbox only: the inviter's page says it was sent.
    await page.locator("[data-test-id=invite-sent]").waitFor();
    assert.ok(!(await page.content()).includes("/invite/"), "the inviter never sees the link");
    // The mail goes out through the outbox: the worker sends it within moments.
    await waitForMail(mailDir, "new.colleague@nordlys.example", "/invite/");
    const mails = mailsTo(mailDir, "new.colleague@nordlys.example");
    assert.equal(mails.length, 1);
    const found = mails[0].match(/http:\/\/127\.0\.0\.1:\d+\/invite\/[0-9a-f]{64}/);
    assert.ok(found, mails[0]);
    const link = found[0];
    assert.ok(link.startsWith(baseUrl), `${link} points at this server`);
    await page.locator('[data-test-id=assignment-row][data-email="new.colleague@nordlys.example"]').waitFor();
    await shot(page, `${prefix}-2-invited`);

    // The invited person sets a password in a browser of their own and signs in.
    const other = await page.context().browser().newContext({ locale: "en-US" });
    const invited = await other.newPage();
    await invited.goto(link);
    await invited.getByLabel("New password").fill("a-long-enough-password");
    await invited.getByLabel("Repeat the password").fill("a-long-enough-password");
    await invited.locator("[data-test-id=invite-submit]").click();
    await invited.locator("[data-test-id=invite-done]").waitFor();
    await shot(invited, `${prefix}-3-password-set`);
    await invited.goto(`${baseUrl}/signin`);
    await invited.locator("#email").fill("new.colleague@nordlys.example");
    await invited.locator("#password").fill("a-long-enough-password");
    await invited.getByRole("button", { name: "Sign in" }).click();
    await invited.waitForURL(/\/portal$/);
    await other.close();

    // The owner removes the assignment.
    await page.reload();
    await page
      .locator('[data-test-id=assignment-row][data-email="new.colleague@nordlys.example"]')
      .getByRole("button", { name: w.remove })
      .click();
    await page.locator("[data-test-id=iam-notice]").waitFor();
    assert.equal(await page.locator('[data-test-id=assignment-row][data-email="new.colleague@nordlys.example"]').count(), 0);
    await shot(page, `${prefix}-4-removed`);
  });
});

test("en-US: a reader sees what they may do and why Pay now is missing", async () => {
  await withPortal({ locale: "en-US" }, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "reader@nordlys.example");
    await openBilling(page, baseUrl);
    await page.getByRole("link", { name: "Access control (IAM)", exact: true }).click();
    await page.locator("[data-test-id=pay-note]").waitFor();
    assert.equal(await page.locator('[data-test-id=capability-pay]').getAttribute("data-allowed"), "false");
    assert.equal(await page.locator("[data-test-id=grant-submit]").count(), 0);
    await shot(page, "en-US-iam-reader");
  });
});

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: download an invoice PDF`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      await openBilling(page, baseUrl);
      await page.getByRole("link", { name: w.invoices, exact: true }).click();
      const first = page.locator("[data-test-id=invoice-row]").first();
      const number = await first.getAttribute("data-invoice");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        first.getByRole("link", { name: new RegExp(w.download) }).click(),
      ]);
      const path = join(SCREENSHOTS, `${locale}-invoice-${number}.pdf`);
      await download.saveAs(path);
      const bytes = readFileSync(path);
      assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
      assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
      assert.ok(download.suggestedFilename().endsWith(`${number}.pdf`), download.suggestedFilename());
    });
  });
}

test("da-DK: edit the invoice e-mail under Egenskaber and find it in the Aktivitetslog", async () => {
  await withPortal({ locale: "da-DK" }, async ({ page, baseUrl }) => {
    const prefix = "da-DK-properties";
    await signIn(page, baseUrl, "admin@nordlys.example", { submit: "Log på" });
    await openBilling(page, baseUrl);
    await page.getByRole("link", { name: "Egenskaber", exact: true }).click();
    await page.locator("[data-test-id=account-type]").waitFor();
    await shot(page, `${prefix}-1-show`);
    await page.locator("[data-test-id=edit-properties]").click();
    await page.getByLabel("Faktura-e-mail").fill("ikke-en-adresse");
    await page.getByRole("button", { name: "Gem", exact: true }).click();
    await page.locator("[data-test-id=email-error]").waitFor();
    await shot(page, `${prefix}-2-invalid`);
    await page.getByLabel("Faktura-e-mail").fill("bogholderi@nordlys.example");
    await page.getByRole("button", { name: "Gem", exact: true }).click();
    await page.locator("[data-test-id=properties-notice]").waitFor();
    assert.equal((await page.locator("[data-test-id=invoice-email]").textContent()).trim(), "bogholderi@nordlys.example");
    await page.getByRole("link", { name: "Aktivitetslog", exact: true }).click();
    await page.locator("#kind").selectOption("properties");
    // The filter's own Anvend (the scope picker above has one too, now always shown).
    await page.locator("#main").getByRole("button", { name: "Anvend" }).click();
    const entry = page.locator('[data-test-id=activity-row][data-kind="properties.updated"]').first();
    await entry.waitFor();
    assert.match(await entry.textContent(), /bogholderi@nordlys\.example/);
    await shot(page, `${prefix}-3-activity`);
  });
});

// The password constant is shared with the harness; keep the import used.
assert.ok(PASSWORD.length > 0);
