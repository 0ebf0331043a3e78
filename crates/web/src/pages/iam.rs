//! Access control (IAM): role assignments at account and profile scope, adding a role by e-mail
//! (an unknown e-mail becomes an invited user, mailed a one-time set-password link that this
//! page never shows), removing
//! assignments, and "what you may do here" for the signed-in user, from the same
//! `Access::allows` the server uses on every request.

use crate::context::{RequestContext, SignedIn};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::access::{
    self, AcceptError, EmailProblem, GrantError, GrantRefusal, Invitation, InvitationError,
    InvitationRefusal, PasswordProblem, PayNote, RemoveError,
};
use faktura_app::AccountScope;
use faktura_domain::*;
use serde::Deserialize;

pub struct Capability {
    pub label: String,
    pub allowed: bool,
    pub code: &'static str,
}

pub struct AssignmentRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub scope: String,
    pub removable: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    /// `account` or `profile`: which roles fit this scope, or where this role applies.
    pub kind: &'static str,
    pub selected: bool,
}

/// The roles of one kind, weakest first, under one heading of the role select.
pub struct RoleGroup {
    pub label: String,
    pub kind: &'static str,
    pub roles: Vec<Choice>,
}

/// The roles the add-role form offers, weakest first: a slip of the hand never grants more.
const ROLES_WEAKEST_FIRST: [Role; 7] = [
    Role::BillingAccountReader,
    Role::BillingAccountContributor,
    Role::BillingAccountOwner,
    Role::BillingProfileReader,
    Role::InvoiceManager,
    Role::BillingProfileContributor,
    Role::BillingProfileOwner,
];

#[derive(Template)]
#[template(path = "access.html")]
struct AccessTemplate {
    chrome: Chrome,
    nav: BillingNav,
    my_roles: String,
    capabilities: Vec<Capability>,
    pay_note: Option<String>,
    admin_email: String,
    rows: Vec<AssignmentRow>,
    can_grant: bool,
    role_groups: Vec<RoleGroup>,
    /// No role chosen yet: the empty "Choose a role" option is selected.
    no_role: bool,
    scope_choices: Vec<Choice>,
    email: String,
    problem: Option<String>,
    notice: Option<String>,
    /// "An invitation was sent to …": never the link itself, which only the mailbox gets.
    invite: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AccessQuery {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn scope_label(tr: &Tr, scope: &AccountScope, at: &Scope) -> String {
    match at {
        Scope::Account => tr.t1("scope-account", "name", &scope.account.display_name),
        Scope::Profile(p) => tr.t1(
            "scope-profile",
            "name",
            scope
                .profile(p)
                .map(|p| p.display_name.clone())
                .unwrap_or_else(|| p.to_string()),
        ),
    }
}

/// Why Pay now is missing at this scope, if it is.
fn pay_note(tr: &Tr, scope: &AccountScope, profile: Option<&BillingProfile>) -> Option<String> {
    access::pay_note(scope, profile.map(|p| &p.id)).map(|note| match note {
        PayNote::Wire => tr.t("iam-pay-note-wire"),
        PayNote::Settle => tr.t("iam-pay-note-settle"),
        PayNote::ChooseProfile => tr.t("iam-pay-note-choose-profile"),
        PayNote::Role => tr.t1("iam-pay-note-role", "roles", roles_text(tr, &scope.access)),
    })
}

fn capability(permission: Permission) -> (&'static str, &'static str) {
    match permission {
        Permission::ViewInvoices => ("iam-can-view", "view"),
        Permission::PayInvoices => ("iam-can-pay", "pay"),
        Permission::ViewPaymentMethods => ("iam-can-view-methods", "view-methods"),
        Permission::ManagePaymentMethods => ("iam-can-manage-methods", "manage-methods"),
        Permission::GrantAccess => ("iam-can-grant", "grant"),
        Permission::ViewActivityLog => ("iam-can-activity", "activity"),
        Permission::EditProperties => ("iam-can-edit", "edit"),
    }
}

struct Extra {
    email: String,
    /// What the person chose in the add-role form, kept after a refusal.
    role: String,
    scope: String,
    problem: Option<String>,
    notice: Option<String>,
    invite: Option<String>,
}

async fn access_page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    selected: Option<&BillingProfile>,
    extra: Extra,
) -> Result<AccessTemplate, AppError> {
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/access", scope.account.id),
    );
    let tr = chrome.tr.clone();
    let at = selected.map(|p| &p.id);
    let capabilities = access::what_you_may_do(scope, at)?
        .into_iter()
        .map(|(permission, allowed)| {
            let (key, code) = capability(permission);
            Capability {
                label: tr.t(key),
                allowed,
                code,
            }
        })
        .collect();
    let overview = access::overview(&state.app, scope).await?;
    let rows = overview
        .assignments
        .into_iter()
        .map(|listed| AssignmentRow {
            id: listed.assignment.id.to_string(),
            role: role_label(&tr, listed.assignment.role),
            scope: scope_label(&tr, scope, &listed.assignment.scope),
            email: listed.email,
            removable: listed.removable,
        })
        .collect();
    let scope_choices: Vec<Choice> = overview
        .grant_scopes
        .iter()
        .map(|at| {
            let (value, kind) = match at {
                Scope::Account => ("account".to_owned(), "account"),
                Scope::Profile(p) => (p.to_string(), "profile"),
            };
            Choice {
                selected: value == extra.scope,
                value,
                label: scope_label(&tr, scope, at),
                kind,
            }
        })
        .collect();
    let role_groups: Vec<RoleGroup> = [
        ("account", "iam-roles-account"),
        ("profile", "iam-roles-profile"),
    ]
    .into_iter()
    // Only the kinds of role some offered scope can take.
    .filter(|(kind, _)| scope_choices.iter().any(|c| c.kind == *kind))
    .map(|(kind, heading)| RoleGroup {
        label: tr.t(heading),
        kind,
        roles: ROLES_WEAKEST_FIRST
            .iter()
            .filter(|r| {
                (if r.is_account_role() {
                    "account"
                } else {
                    "profile"
                }) == kind
            })
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: role_label(&tr, *r),
                kind,
                selected: r.code() == extra.role,
            })
            .collect(),
    })
    .collect();
    let no_role = !role_groups
        .iter()
        .any(|g| g.roles.iter().any(|r| r.selected));
    let scope_label = match selected {
        Some(p) => tr.t1("scope-profile", "name", &p.display_name),
        None => tr.t1("scope-account", "name", &scope.account.display_name),
    };
    Ok(AccessTemplate {
        nav: scope.nav(
            "access",
            at,
            format!("/billing/{}/access", scope.account.id),
        ),
        my_roles: tr.tn(
            "iam-your-roles",
            &[
                ("roles", roles_text(&tr, &scope.access)),
                ("scope", scope_label.clone()),
            ],
        ),
        capabilities,
        pay_note: pay_note(&tr, scope, selected),
        admin_email: overview.admin_email,
        rows,
        can_grant: !scope_choices.is_empty(),
        role_groups,
        no_role,
        scope_choices,
        email: extra.email,
        problem: extra.problem,
        notice: extra.notice,
        invite: extra.invite,
        chrome,
    })
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<AccessQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let selected = optional_profile(&scope, query.profile.as_deref())?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let notice = match query.done.as_deref() {
        Some("added") => Some(tr.t("iam-done-added")),
        Some("removed") => Some(tr.t("iam-done-removed")),
        _ => None,
    };
    let extra = Extra {
        email: String::new(),
        role: String::new(),
        scope: String::new(),
        problem: None,
        notice,
        invite: None,
    };
    Ok(render(
        &access_page(&state, &signed_in, &scope, selected.as_ref(), extra).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    /// `account` or a billing profile id.
    #[serde(default)]
    scope: String,
}

pub async fn grant(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let email = form.email.trim().chars().take(300).collect::<String>();
    let problem = |key: &str| Extra {
        email: email.clone(),
        role: form.role.chars().take(40).collect(),
        scope: form.scope.chars().take(60).collect(),
        problem: Some(tr.t(key)),
        notice: None,
        invite: None,
    };
    let granted = access::grant(
        &state.app,
        &signed_in.actor(),
        &scope,
        &form.scope,
        &email,
        &form.role,
        signed_in.ctx.locale,
    )
    .await;
    let granted = match granted {
        Ok(granted) => granted,
        Err(GrantError::App(refusal)) => return Err(refusal.into()),
        Err(invalid @ (GrantError::BadEmail(_) | GrantError::BadRole)) => {
            let key = match invalid {
                GrantError::BadEmail(Some(EmailProblem::Invisible)) => "iam-error-email-invisible",
                GrantError::BadEmail(Some(
                    EmailProblem::NonAsciiLocalPart | EmailProblem::BadDomain,
                )) => "iam-error-email-lookalike",
                GrantError::BadEmail(None) => "iam-error-email",
                _ => "iam-error-role",
            };
            let page = access_page(&state, &signed_in, &scope, None, problem(key)).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(GrantError::Refused(refusal)) => {
            let key = match refusal {
                GrantRefusal::AlreadyAssigned => "iam-error-already",
                GrantRefusal::ProfileNotFound => "iam-error-scope",
                GrantRefusal::RoleDoesNotFitScope => "iam-error-role-scope",
            };
            let page = access_page(&state, &signed_in, &scope, None, problem(key)).await?;
            return Ok(render_with(StatusCode::CONFLICT, &page));
        }
    };
    match granted.invited_until {
        Some(expires) => {
            let extra = Extra {
                email: String::new(),
                role: String::new(),
                scope: String::new(),
                problem: None,
                notice: Some(tr.t("iam-done-added")),
                invite: Some(tr.tn(
                    "iam-invite-sent",
                    &[
                        ("email", granted.user.email.clone()),
                        ("date", tr.date(expires.date_naive())),
                    ],
                )),
            };
            let page = access_page(&state, &signed_in, &scope, None, extra).await?;
            Ok(render(&page))
        }
        None => Ok(
            Redirect::to(&format!("/billing/{}/access?done=added", scope.account.id))
                .into_response(),
        ),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, assignment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    match access::remove(&state.app, &signed_in.actor(), &scope, &assignment).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/billing/{}/access?done=removed",
            scope.account.id
        ))
        .into_response()),
        Err(RemoveError::App(refusal)) => Err(refusal.into()),
        Err(RemoveError::LastOwner) => {
            let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
            let extra = Extra {
                email: String::new(),
                role: String::new(),
                scope: String::new(),
                problem: Some(tr.t("iam-error-last-owner")),
                notice: None,
                invite: None,
            };
            let page = access_page(&state, &signed_in, &scope, None, extra).await?;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InviteTemplate {
    chrome: Chrome,
    token: String,
    email: String,
    intro: String,
    problem: Option<String>,
    done: bool,
    usable: bool,
}

fn invitation_problem(tr: &Tr, refusal: &InvitationRefusal) -> String {
    tr.t(match refusal {
        InvitationRefusal::Unknown => "invite-unknown",
        InvitationRefusal::Expired => "invite-expired",
        InvitationRefusal::Used => "invite-used",
        InvitationRefusal::Revoked => "invite-revoked",
    })
}

/// The invite page when the link cannot be used.
fn unusable(chrome: Chrome, refusal: &InvitationRefusal, status: StatusCode) -> Response {
    let problem = Some(invitation_problem(&chrome.tr, refusal));
    render_with(
        status,
        &InviteTemplate {
            token: String::new(),
            email: String::new(),
            intro: String::new(),
            problem,
            done: false,
            usable: false,
            chrome,
        },
    )
}

/// The set-password form for a usable invitation.
fn usable(
    chrome: Chrome,
    token: String,
    invitation: Invitation,
    problem: Option<String>,
) -> InviteTemplate {
    InviteTemplate {
        token,
        intro: chrome.tr.tn(
            "invite-intro",
            &[
                ("email", invitation.user.email.clone()),
                ("account", invitation.account_name),
            ],
        ),
        email: invitation.user.email,
        problem,
        done: false,
        usable: true,
        chrome,
    }
}

pub async fn invite_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&state, &ctx, "/invite");
    match access::invitation(&state.app, &token).await {
        Ok(invitation) => Ok(render(&usable(chrome, token, invitation, None))),
        Err(InvitationError::Malformed) => Ok(unusable(
            chrome,
            &InvitationRefusal::Unknown,
            StatusCode::NOT_FOUND,
        )),
        Err(InvitationError::Refused(refusal)) => {
            Ok(unusable(chrome, &refusal, StatusCode::NOT_FOUND))
        }
        Err(InvitationError::App(error)) => Err(error.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn invite_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&state, &ctx, "/invite");
    let accepted = access::accept_invitation(
        &state.app,
        &token,
        &form.password,
        &form.confirm,
        ctx.ip.as_deref(),
    )
    .await;
    match accepted {
        Ok(invitation) => Ok(render(&InviteTemplate {
            token: String::new(),
            email: invitation.user.email,
            intro: String::new(),
            problem: None,
            done: true,
            usable: false,
            chrome,
        })),
        Err(AcceptError::Invitation(InvitationError::Malformed)) => Ok(unusable(
            chrome,
            &InvitationRefusal::Unknown,
            StatusCode::NOT_FOUND,
        )),
        Err(
            AcceptError::Invitation(InvitationError::Refused(refusal)) | AcceptError::Gone(refusal),
        ) => Ok(unusable(chrome, &refusal, StatusCode::GONE)),
        Err(AcceptError::Invitation(InvitationError::App(error))) => Err(error.into()),
        Err(AcceptError::Password {
            problem,
            invitation,
        }) => {
            let problem = match problem {
                PasswordProblem::TooShort => {
                    chrome
                        .tr
                        .t1("invite-too-short", "min", access::MIN_PASSWORD_CHARS)
                }
                PasswordProblem::TooLong => chrome.tr.t("invite-too-long"),
                PasswordProblem::Mismatch => chrome.tr.t("invite-mismatch"),
            };
            let page = usable(chrome, token, *invitation, Some(problem));
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AcceptError::Hashing(cause)) => {
            Err(AppError::Internal(format!("hashing failed: {cause}")))
        }
    }
}
