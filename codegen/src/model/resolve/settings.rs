//! The settings of the generated `Config` that the environment can supply: the base
//! URL, the client's OAuth2 token endpoint (staging and production often have
//! different ones) and every secret, each with its environment variable. The emitter
//! and the README read them from here.

use crate::model::template;
use crate::model::*;
use crate::sanitize;

/// The environment variable of a setting: `EVENTS_API_KEY` for `api_key` of `events`.
pub(super) fn env_var(connector: &str, setting: &str) -> String {
    format!(
        "{}_{}",
        sanitize::shouty(connector),
        sanitize::shouty(setting)
    )
}

/// The settings of a resolved connector, in the order of `Config`'s fields.
pub(super) fn settings(connector: &Connector) -> Vec<Setting> {
    let url = |field: &str, default: &str, what| Setting {
        field: field.to_owned(),
        env_var: env_var(&connector.name, field),
        kind: SettingKind::Url {
            constant: sanitize::shouty(field),
            default: default.to_owned(),
            what,
        },
    };
    let mut settings = vec![url("base_url", &connector.base_url, "the API's base URL")];
    // `https://{company_domain}.pipedrive.com`: each placeholder is a setting.
    for part in template::holes(&connector.base_url) {
        settings.push(Setting {
            env_var: env_var(&connector.name, &part),
            field: part,
            kind: SettingKind::BaseUrlPart,
        });
    }
    if let Auth::OAuth2 {
        access_token_url, ..
    } = &connector.auth
    {
        settings.push(url(
            "access_token_url",
            access_token_url,
            "the OAuth2 token endpoint",
        ));
    }
    for secret in connector.secrets() {
        settings.push(Setting {
            field: secret.name.clone(),
            env_var: env_var(&connector.name, &secret.name),
            kind: SettingKind::Secret {
                used_as: used_as(owner(connector, &secret.name), &secret.name),
                dlt_name: secret.dlt_name.clone(),
            },
        });
    }
    let mut setting = |field: &str, kind| {
        settings.push(Setting {
            field: field.to_owned(),
            env_var: env_var(&connector.name, field),
            kind,
        })
    };
    setting("concurrency", SettingKind::Concurrency);
    setting(
        "timeout",
        SettingKind::Timeout {
            default_millis: connector.timeout_millis.unwrap_or(60_000),
        },
    );
    setting("resource_timeout", SettingKind::ResourceTimeout);
    setting("max_pages", SettingKind::MaxPages);
    settings
}

/// The auth (the client's or an endpoint's) that uses a secret.
fn owner<'a>(connector: &'a Connector, secret: &str) -> &'a Auth {
    std::iter::once(&connector.auth)
        .chain(connector.resources.iter().filter_map(|r| r.auth.as_ref()))
        .find(|auth| auth.secrets().iter().any(|s| s.name == secret))
        .unwrap_or(&connector.auth)
}

fn used_as(auth: &Auth, secret: &str) -> String {
    match auth {
        Auth::None => String::new(),
        Auth::Bearer { .. } => "bearer token".into(),
        Auth::ApiKey { name, location, .. } => format!(
            "api key sent as {} `{name}`",
            match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query parameter",
                ApiKeyLocation::Cookie => "cookie",
            }
        ),
        Auth::HttpBasic {
            username: Credential::Secret(user),
            ..
        } if user.name == secret => "HTTP basic user name".into(),
        Auth::HttpBasic { .. } => "HTTP basic password".into(),
        Auth::OAuth2 {
            client_id: Credential::Secret(id),
            ..
        } if id.name == secret => "OAuth2 client id".into(),
        Auth::OAuth2 { .. } => "OAuth2 client secret".into(),
    }
}
