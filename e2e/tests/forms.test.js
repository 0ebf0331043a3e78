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
