// Forms as a person uses them: the add-role form, confirmations, the token shown once, search.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot } from "../lib/portal.js";

async function openAccess(page, baseUrl) {
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
  await page.goto(`${page.url()}/access`);
}

test("en-US: the add-role form starts with no role and offers only roles that fit the scope", async () => {
  await withPortal({}, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "admin@nordlys.example");
    await openAccess(page, baseUrl);
    const role = page.locator("#grant-role");
    assert.equal(await role.inputValue(), "", "no role is chosen for the person");
    const enabled = () => role.locator("option:not(:disabled)").evaluateAll((os) =>
      os.filter((o) => !o.parentElement.disabled).map((o) => o.value));
    // The account scope: account roles only, weakest first.
    assert.deepEqual(await enabled(), ["", "BillingAccountReader", "BillingAccountContributor", "BillingAccountOwner"]);
    await role.selectOption("BillingAccountReader");
    await page.locator("#grant-scope").selectOption({ label: "Billing profile: Nordlys Drift" });
    assert.equal(await role.inputValue(), "", "a role that no longer fits is unchosen");
    assert.deepEqual(await enabled(), ["", "BillingProfileReader", "InvoiceManager", "BillingProfileContributor", "BillingProfileOwner"]);
    await role.selectOption("InvoiceManager");
    await page.locator("#grant-email").fill("not-an-address");
    await page.locator("[data-test-id=grant-submit]").click();
    await page.locator("[data-test-id=iam-problem]").waitFor();
    assert.equal(await role.inputValue(), "InvoiceManager", "the choice survives the refusal");
    assert.equal(await page.locator("#grant-email").inputValue(), "not-an-address");
    await shot(page, "forms-add-role-refused");
  });
});

test("en-US: a new token has a Copy button, and revoking it asks first", async () => {
  await withPortal({}, async ({ page, baseUrl }) => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    await signIn(page, baseUrl, "admin@nordlys.example");
    await page.goto(`${baseUrl}/account/tokens`);
    await page.getByLabel("Name").fill("ci");
    await page.locator("[data-test-id=token-create]").click();
    const token = (await page.locator("[data-test-id=token-value]").innerText()).trim();
    assert.match(token, /^fkt_/);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.locator("[data-test-id=token-copy-status]").filter({ hasText: "Copied" }).waitFor();
    assert.equal(await page.locator("[data-test-id=token-copy-status]").getAttribute("role"), "status");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    await shot(page, "forms-token-copied");

    // Revoke, from the keyboard: the confirmation page says what will happen; nothing yet.
    await page.locator("[data-test-id=revoke]").focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Revoke the token “ci”?" }).waitFor();
    await shot(page, "forms-token-confirm-revoke");
    await page.locator("[data-test-id=confirm-cancel]").click();
    await page.waitForURL(/\/account\/tokens$/);
    assert.ok((await page.locator("[data-test-id=tokens]").innerText()).includes("Active"));
    await page.locator("[data-test-id=revoke]").click();
    await page.locator("[data-test-id=confirm-submit]").click();
    await page.waitForURL(/\/account\/tokens$/);
    assert.ok((await page.locator("[data-test-id=tokens]").innerText()).includes("Revoked"));
  });
});

test("en-US: Escape in the search box closes the suggestions and keeps what was typed", async () => {
  await withPortal({}, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "admin@nordlys.example");
    const search = page.locator("#global-search-input");
    await search.click();
    await search.pressSequentially("G01234");
    await page.locator("#global-search-suggestions [role=option]").first().waitFor();
    await search.press("Escape");
    assert.equal(await page.locator("#global-search-suggestions").isHidden(), true);
    assert.equal(await search.inputValue(), "G01234");
    await search.press("Escape");
    assert.equal(await search.inputValue(), "G01234", "a second Escape keeps it too");
  });
});

test("da-DK: notifications are chosen from the user menu and stay chosen", async () => {
  await withPortal({ locale: "da-DK" }, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "admin@nordlys.example", { submit: "Log på" });
    await page.locator("[data-test-id=user-menu]").click();
    await page.getByRole("link", { name: "Notifikationer" }).click();
    await page.getByRole("heading", { name: "Notifikationer" }).waitFor();
    const receipts = page.getByLabel("Kvitteringer for betalinger, du foretager");
    const invoices = page.getByLabel("Nye fakturaer");
    assert.ok(await receipts.isChecked(), "receipts are on by default");
    assert.ok(!(await invoices.isChecked()), "new invoices are off by default");
    assert.ok(await page.getByLabel("Roller, du får").isDisabled(), "the access notice cannot be switched off");
    await receipts.uncheck();
    await invoices.check();
    await page.locator("[data-test-id=notifications-save]").click();
    await page.locator("[data-test-id=notifications-saved]").waitFor();
    await page.reload();
    assert.ok(!(await page.getByLabel("Kvitteringer for betalinger, du foretager").isChecked()));
    assert.ok(await page.getByLabel("Nye fakturaer").isChecked());
    await shot(page, "forms-notifications-da");
  });
});
