//! `faktura demo --accounts N --profiles-per-account P --invoices-per-profile M`: scale data for
//! benchmarks, with a progress bar.

use anyhow::Context;
use clap::Args;
use faktura_gateway::SandboxGateway;
use faktura_store::scale::{scale_owner_email, scale_reader_email, ScaleSpec};
use faktura_store::Store;
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct ScaleArgs {
    /// Generate scale data instead of the fixed demo: this many billing accounts.
    #[arg(long)]
    pub accounts: Option<u32>,
    /// Billing profiles per generated account.
    #[arg(long, default_value_t = 2, requires = "accounts")]
    pub profiles_per_account: u32,
    /// Invoices per generated profile (with 1–4 line items each).
    #[arg(long, default_value_t = 24, requires = "accounts")]
    pub invoices_per_profile: u32,
    /// Invoices dated within this many days are left unpaid (Due or past due).
    #[arg(long, default_value_t = 60, requires = "accounts")]
    pub unpaid_days: u32,
}

pub async fn generate(store: &Store, args: &ScaleArgs, accounts: u32) -> anyhow::Result<()> {
    if accounts == 0 || args.profiles_per_account == 0 || args.invoices_per_profile == 0 {
        anyhow::bail!(
            "--accounts, --profiles-per-account and --invoices-per-profile must be at least 1"
        );
    }
    let (password, generated) = match std::env::var("FAKTURA_DEMO_PASSWORD") {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (faktura_store::random_token()[..16].to_owned(), true),
    };
    let password_hash = faktura_web::auth::hash_password(&password)
        .map_err(|e| anyhow::anyhow!("cannot hash the demo password: {e}"))?;
    let spec = ScaleSpec {
        accounts,
        profiles_per_account: args.profiles_per_account,
        invoices_per_profile: args.invoices_per_profile,
        unpaid_days: args.unpaid_days,
        password_hash,
        card_token: SandboxGateway::token_for_number("4242424242424242"),
        today: chrono::Utc::now().date_naive(),
    };
    let total = spec.total_invoices();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {human_pos}/{human_len} invoices {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let report = store
        .load_scale(&spec, &mut |done| bar.set_position(done))
        .await
        .context("cannot generate scale data")?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Generated {} accounts, {} profiles, {} invoices ({} unpaid), {} line items, {} payments, {} users in {:.1} s ({:.0} invoices/s).",
        report.accounts,
        report.profiles,
        report.invoices,
        report.unpaid,
        report.lines,
        report.payments,
        report.users,
        seconds,
        report.invoices as f64 / seconds.max(0.001)
    );
    println!(
        "Users: {} … {} (billing account owners) and {} … (readers).",
        scale_owner_email(1),
        scale_owner_email(accounts),
        scale_reader_email(1)
    );
    if generated {
        println!("Password (shown once; set FAKTURA_DEMO_PASSWORD to choose it): {password}");
    } else {
        println!("Password: the value of FAKTURA_DEMO_PASSWORD");
    }
    Ok(())
}
