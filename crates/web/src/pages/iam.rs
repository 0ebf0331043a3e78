//! Access control (IAM): role assignments at account and profile scope, adding a role by e-mail
//! (an unknown e-mail becomes an invited user with a one-time set-password link), removing
//! assignments, and "what you may do here" for the signed-in user, from the same
//! `Access::allows` the server uses on every request.

use super::properties::valid_email;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::session::{RequestContext, SignedIn};
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::AccountScope;
use faktura_domain::*;
use faktura_store::{GrantRefusal, InvitationRefusal, RemoveRefusal};
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
}

/// The link shown once to the owner after inviting someone new.
pub struct InviteLink {
    pub text: String,
    pub url: String,
}

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
    role_choices: Vec<Choice>,
    scope_choices: Vec<Choice>,
    email: String,
    problem: Option<String>,
    notice: Option<String>,
    invite: Option<InviteLink>,
}

#[derive(Deserialize, Default)]
pub struct AccessQuery {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// Scopes where the user may grant: the account (if allowed there) and each profile they may.
fn grant_scopes(tr: &Tr, scope: &AccountScope) -> Vec<Choice> {
    let mut choices = Vec::new();
    if scope.access.allows(Permission::GrantAccess, None) {
        choices.push(Choice {
            value: "account".into(),
            label: tr.t1("scope-account", "name", &scope.account.display_name),
        });
    }
    for profile in &scope.profiles {
        if scope
            .access
            .allows(Permission::GrantAccess, Some(&profile.id))
        {
            choices.push(Choice {
                value: profile.id.to_string(),
                label: tr.t1("scope-profile", "name", &profile.display_name),
            });
        }
    }
    choices
}

fn may_manage(scope: &AccountScope, assignment_scope: &Scope) -> bool {
    match assignment_scope {
        Scope::Account => scope.access.allows(Permission::GrantAccess, None),
        Scope::Profile(p) => scope.access.allows(Permission::GrantAccess, Some(p)),
    }
}

/// Why Pay now is missing at this scope, if it is.
fn pay_note(tr: &Tr, scope: &AccountScope, profile: Option<&BillingProfile>) -> Option<String> {
    if scope.account.agreement_type == AgreementType::EnterpriseAgreement {
        return Some(tr.t("iam-pay-note-wire"));
    }
    let allowed = scope
        .access
        .allows(Permission::PayInvoices, profile.map(|p| &p.id));
    if allowed {
        if scope.account.agreement_type.is_pay_as_you_go() {
            return Some(tr.t("iam-pay-note-settle"));
        }
        return None;
    }
    if profile.is_none() && !scope.access.sees_whole_account() {
        return Some(tr.t("iam-pay-note-choose-profile"));
    }
    Some(tr.t1("iam-pay-note-role", "roles", roles_text(tr, &scope.access)))
}

struct Extra {
    email: String,
    problem: Option<String>,
    notice: Option<String>,
    invite: Option<InviteLink>,
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
    let capabilities = [
        (Permission::ViewInvoices, "iam-can-view", "view"),
        (Permission::PayInvoices, "iam-can-pay", "pay"),
        (
            Permission::ViewPaymentMethods,
            "iam-can-view-methods",
            "view-methods",
        ),
        (
            Permission::ManagePaymentMethods,
            "iam-can-manage-methods",
            "manage-methods",
        ),
        (Permission::GrantAccess, "iam-can-grant", "grant"),
        (Permission::ViewActivityLog, "iam-can-activity", "activity"),
        (Permission::EditProperties, "iam-can-edit", "edit"),
    ]
    .into_iter()
    .map(|(permission, key, code)| Capability {
        label: tr.t(key),
        allowed: scope.access.allows(permission, at),
        code,
    })
    .collect();
    let profile_name = |id: &BillingProfileId| {
        scope
            .profile(id)
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let all = state.app.store.role_assignments(&scope.account.id).await?;
    let rows = all
        .iter()
        .filter(|(a, _)| match &a.scope {
            Scope::Account => true,
            Scope::Profile(p) => scope.profile(p).is_some(),
        })
        .map(|(a, email)| AssignmentRow {
            id: a.id.to_string(),
            email: email.clone(),
            role: role_label(&tr, a.role),
            scope: match &a.scope {
                Scope::Account => tr.t1("scope-account", "name", &scope.account.display_name),
                Scope::Profile(p) => tr.t1("scope-profile", "name", profile_name(p)),
            },
            removable: may_manage(scope, &a.scope),
        })
        .collect();
    let admin_email = state
        .app
        .store
        .user_by_id(&scope.account.account_admin)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    let scope_choices = grant_scopes(&tr, scope);
    let role_choices = Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: role_label(&tr, *r),
        })
        .collect();
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
        admin_email,
        rows,
        can_grant: !scope_choices.is_empty(),
        role_choices,
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

fn refused_grant(scope: &AccountScope) -> AppError {
    let _ = scope;
    AppError::Forbidden("your role may not grant access at this scope")
}

/// The address the owner reached us at, to show the invitation as a full link. Only a plain
/// host name or address (with port) is used; anything else falls back to a relative link.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    match host {
        Some(host) => {
            let scheme = if state.web.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

pub async fn grant(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    // Authorization first: the user must be able to grant somewhere on this account.
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    if grant_scopes(&tr, &scope).is_empty() {
        return Err(refused_grant(&scope));
    }
    let target = match form.scope.trim() {
        "account" | "" => Scope::Account,
        raw => Scope::Profile(
            BillingProfileId::parse(raw).map_err(|_| AppError::BadRequest("unknown scope"))?,
        ),
    };
    if !may_manage(&scope, &target) {
        return Err(refused_grant(&scope));
    }
    let email = form.email.trim().chars().take(300).collect::<String>();
    let problem = |key: &str| Extra {
        email: email.clone(),
        problem: Some(tr.t(key)),
        notice: None,
        invite: None,
    };
    if !valid_email(&email) {
        let page =
            access_page(&state, &signed_in, &scope, None, problem("iam-error-email")).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let Ok(role) = form.role.trim().parse::<Role>() else {
        let page = access_page(&state, &signed_in, &scope, None, problem("iam-error-role")).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let granted = state
        .app
        .store
        .grant_role(
            &scope.account.id,
            &email,
            &target,
            role,
            &signed_in.actor().audit(),
        )
        .await?;
    let granted = match granted {
        Ok(granted) => granted,
        Err(refusal) => {
            let key = match refusal {
                GrantRefusal::AlreadyAssigned => "iam-error-already",
                GrantRefusal::ProfileNotFound => "iam-error-scope",
                GrantRefusal::RoleDoesNotFitScope => "iam-error-role-scope",
            };
            let page = access_page(&state, &signed_in, &scope, None, problem(key)).await?;
            return Ok(render_with(StatusCode::CONFLICT, &page));
        }
    };
    match granted.invitation {
        // Shown once, right here: only its hash is stored.
        Some(token) => {
            let expires = granted
                .invitation_expires
                .map(|e| tr.date(e.date_naive()))
                .unwrap_or_default();
            let extra = Extra {
                email: String::new(),
                problem: None,
                notice: Some(tr.t("iam-done-added")),
                invite: Some(InviteLink {
                    text: tr.tn(
                        "iam-invite-created",
                        &[("email", granted.user.email.clone()), ("date", expires)],
                    ),
                    url: format!("{}/invite/{token}", origin(&state, &headers)),
                }),
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
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    if grant_scopes(&tr, &scope).is_empty() {
        return Err(refused_grant(&scope));
    }
    let id = RoleAssignmentId::parse(&assignment).map_err(|_| AppError::NotFound)?;
    let existing = state
        .app
        .store
        .role_assignments(&scope.account.id)
        .await?
        .into_iter()
        .find(|(a, _)| a.id == id)
        .ok_or(AppError::NotFound)?;
    if !may_manage(&scope, &existing.0.scope) {
        return Err(refused_grant(&scope));
    }
    match state
        .app
        .store
        .remove_role_assignment(&scope.account.id, &id, &signed_in.actor().audit())
        .await?
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/billing/{}/access?done=removed",
            scope.account.id
        ))
        .into_response()),
        Err(RemoveRefusal::NotFound) => Err(AppError::NotFound),
        Err(RemoveRefusal::LastOwner) => {
            let extra = Extra {
                email: String::new(),
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
    })
}

/// Tokens are 64 hex characters; anything else is not looked up at all.
fn plausible_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn invite_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&state, &ctx, "/invite");
    let found = if plausible_token(&token) {
        state.app.store.invitation(&token).await?
    } else {
        Err(InvitationRefusal::Unknown)
    };
    let template = match found {
        Ok(invitation) => InviteTemplate {
            token,
            intro: chrome.tr.tn(
                "invite-intro",
                &[
                    ("email", invitation.user.email.clone()),
                    ("account", invitation.account_name),
                ],
            ),
            email: invitation.user.email,
            problem: None,
            done: false,
            usable: true,
            chrome,
        },
        Err(refusal) => InviteTemplate {
            token: String::new(),
            email: String::new(),
            intro: String::new(),
            problem: Some(invitation_problem(&chrome.tr, &refusal)),
            done: false,
            usable: false,
            chrome,
        },
    };
    let status = if template.usable {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok(render_with(status, &template))
}

#[derive(Deserialize, Default)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Shortest password accepted when setting one through an invitation.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub async fn invite_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&state, &ctx, "/invite");
    if !plausible_token(&token) {
        let problem = Some(invitation_problem(&chrome.tr, &InvitationRefusal::Unknown));
        return Ok(render_with(
            StatusCode::NOT_FOUND,
            &InviteTemplate {
                token: String::new(),
                email: String::new(),
                intro: String::new(),
                problem,
                done: false,
                usable: false,
                chrome,
            },
        ));
    }
    let invitation = match state.app.store.invitation(&token).await? {
        Ok(invitation) => invitation,
        Err(refusal) => {
            let problem = Some(invitation_problem(&chrome.tr, &refusal));
            return Ok(render_with(
                StatusCode::GONE,
                &InviteTemplate {
                    token: String::new(),
                    email: String::new(),
                    intro: String::new(),
                    problem,
                    done: false,
                    usable: false,
                    chrome,
                },
            ));
        }
    };
    let problem = if form.password.chars().count() < MIN_PASSWORD_CHARS {
        Some(chrome.tr.t1("invite-too-short", "min", MIN_PASSWORD_CHARS))
    } else if form.password.len() > 1024 {
        Some(chrome.tr.t("invite-too-long"))
    } else if form.password != form.confirm {
        Some(chrome.tr.t("invite-mismatch"))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &InviteTemplate {
                token,
                intro: chrome.tr.tn(
                    "invite-intro",
                    &[
                        ("email", invitation.user.email.clone()),
                        ("account", invitation.account_name.clone()),
                    ],
                ),
                email: invitation.user.email,
                problem: Some(problem),
                done: false,
                usable: true,
                chrome,
            },
        ));
    }
    let hash = crate::auth::hash_password(&form.password)
        .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))?;
    match state
        .app
        .store
        .accept_invitation(&token, &hash, ctx.ip.as_deref())
        .await?
    {
        Ok(_) => Ok(render(&InviteTemplate {
            token: String::new(),
            email: invitation.user.email,
            intro: String::new(),
            problem: None,
            done: true,
            usable: false,
            chrome,
        })),
        Err(refusal) => {
            let problem = Some(invitation_problem(&chrome.tr, &refusal));
            Ok(render_with(
                StatusCode::GONE,
                &InviteTemplate {
                    token: String::new(),
                    email: String::new(),
                    intro: String::new(),
                    problem,
                    done: false,
                    usable: false,
                    chrome,
                },
            ))
        }
    }
}
