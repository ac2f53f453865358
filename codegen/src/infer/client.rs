//! A resolved spec as the runtime's values, for fetching without generating a crate:
//! what the emitter writes as Rust literals ([`crate::emit`]), built at run time. The
//! runtime takes `&'static` text, so the strings are leaked: this runs once per
//! command.

use crate::model::{self, ApiKeyLocation, Auth, Connector, Credential, Resource, Target};
use connectorgen_runtime as rt;
use connectorgen_runtime::paginate as page;

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

fn pairs(pairs: &[(String, String)]) -> &'static [(&'static str, &'static str)] {
    let pairs: Vec<_> = pairs.iter().map(|(k, v)| (leak(k), leak(v))).collect();
    Box::leak(pairs.into_boxed_slice())
}

fn target(target: &Target) -> page::Target {
    match target {
        Target::Param(name) => page::Target::Param(leak(name)),
        Target::Body(path) => page::Target::Body(leak(path)),
    }
}

fn paginator(paginator: &model::Paginator) -> rt::Paginator {
    let text = |t: &Option<String>| t.as_deref().map(leak);
    match paginator {
        model::Paginator::SinglePage => rt::Paginator::SinglePage,
        model::Paginator::Offset(o) => rt::Paginator::Offset(page::OffsetPaginator {
            limit: o.limit,
            offset: o.offset,
            offset_target: target(&o.offset_target),
            limit_target: target(&o.limit_target),
            total_path: text(&o.total_path),
            maximum_offset: o.maximum_offset,
            stop_after_empty_page: o.stop_after_empty_page,
            has_more_path: text(&o.has_more_path),
        }),
        model::Paginator::PageNumber(p) => rt::Paginator::PageNumber(page::PageNumberPaginator {
            base_page: p.base_page,
            page: p.page,
            page_target: target(&p.page_target),
            total_path: text(&p.total_path),
            maximum_page: p.maximum_page,
            stop_after_empty_page: p.stop_after_empty_page,
            has_more_path: text(&p.has_more_path),
        }),
        model::Paginator::Cursor(c) => rt::Paginator::Cursor(page::CursorPaginator {
            cursor_path: leak(&c.cursor_path),
            cursor_target: target(&c.cursor_target),
            has_more_path: text(&c.has_more_path),
            stop_after_empty_page: c.stop_after_empty_page,
        }),
        model::Paginator::JsonLink { next_url_path } => {
            rt::Paginator::JsonLink(page::JsonLinkPaginator {
                next_url_path: leak(next_url_path),
            })
        }
        model::Paginator::HeaderLink { links_next_key } => {
            rt::Paginator::HeaderLink(page::HeaderLinkPaginator {
                links_next_key: leak(links_next_key),
            })
        }
        model::Paginator::HeaderCursor {
            cursor_key,
            cursor_param,
        } => rt::Paginator::HeaderCursor(page::HeaderCursorPaginator {
            cursor_key: leak(cursor_key),
            cursor_param: leak(cursor_param),
        }),
        model::Paginator::Auto => rt::Paginator::Auto,
    }
}

/// dlt's `incremental`, as the runtime takes it: the first run's range is what a
/// connector without state would fetch.
fn incremental(model: &model::IncrementalModel) -> rt::incremental::Incremental {
    use rt::incremental::{Bound, CursorType, LastValueFunc, OnMissing, RowOrder};
    let bound = |name: &str| {
        if name == "Open" {
            Bound::Open
        } else {
            Bound::Closed
        }
    };
    rt::incremental::Incremental {
        cursor_path: leak(&model.cursor_path),
        cursor_type: match model.cursor_type {
            "Timestamp" => CursorType::Timestamp,
            "Date" => CursorType::Date,
            "Integer" => CursorType::Integer,
            "Number" => CursorType::Number,
            _ => CursorType::Text,
        },
        initial_value: model.initial_value.as_deref().map(leak),
        end_value: model.end_value.as_deref().map(leak),
        start_param: model.start_param.as_deref().map(leak),
        end_param: model.end_param.as_deref().map(leak),
        row_order: model.row_order.map(|order| {
            if order == "Desc" {
                RowOrder::Desc
            } else {
                RowOrder::Asc
            }
        }),
        on_cursor_value_missing: match model.on_cursor_value_missing {
            "Include" => OnMissing::Include,
            "Exclude" => OnMissing::Exclude,
            _ => OnMissing::Raise,
        },
        last_value_func: if model.last_value_func == "Min" {
            LastValueFunc::Min
        } else {
            LastValueFunc::Max
        },
        range_start: bound(model.range_start),
        range_end: bound(model.range_end),
        lag: model.lag,
    }
}

/// The endpoint of a top-level resource, as its connector's first run fetches it.
pub(super) fn endpoint(resource: &Resource) -> &'static rt::Endpoint {
    let actions: Vec<rt::ResponseAction> = resource
        .ignore
        .iter()
        .map(|ignore| rt::ResponseAction {
            status_code: ignore.status_code,
            content: ignore.content.as_deref().map(leak),
            action: rt::Action::Ignore,
        })
        .collect();
    Box::leak(Box::new(rt::Endpoint {
        resource: leak(&resource.name),
        method: match resource.method {
            model::Method::Get => rt::Method::Get,
            model::Method::Post => rt::Method::Post,
        },
        path: leak(&resource.path),
        params: pairs(&resource.params),
        headers: pairs(&resource.headers),
        json: resource.json.as_deref().map(leak),
        data: pairs(&resource.data),
        data_selector: resource.data_selector.as_deref().map(leak),
        paginator: paginator(&resource.paginator),
        response_actions: Box::leak(actions.into_boxed_slice()),
        incremental: resource.incremental.as_ref().map(incremental),
        primary_key: Box::leak(
            resource
                .primary_key
                .iter()
                .map(|k| leak(k))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        ..rt::Endpoint::DEFAULT
    }))
}

/// A secret as the generated `Config::from_env` reads it: its environment variable,
/// else, for a secret the spec names as dlt does, dlt's variable or `.dlt/secrets.toml`.
fn secret(connector: &Connector, name: &str) -> rt::Result<rt::Secret> {
    let Some(setting) = connector.settings.iter().find(|s| s.field == name) else {
        return rt::env::secret(&name.to_ascii_uppercase());
    };
    match &setting.kind {
        model::SettingKind::Secret {
            dlt_name: Some(dlt),
            ..
        } => rt::env::secret_or_dlt(&setting.env_var, dlt),
        _ => rt::env::secret(&setting.env_var),
    }
}

fn credential(connector: &Connector, credential: &Credential) -> rt::Result<rt::Secret> {
    match credential {
        Credential::Literal(value) => Ok(rt::Secret::new(value.clone())),
        Credential::Secret(field) => secret(connector, &field.name),
    }
}

fn auth(connector: &Connector, auth: &Auth) -> rt::Result<rt::Auth> {
    Ok(match auth {
        Auth::None => rt::Auth::None,
        Auth::Bearer { token } => rt::Auth::Bearer {
            token: secret(connector, &token.name)?,
        },
        Auth::ApiKey {
            name,
            location,
            key,
        } => rt::Auth::ApiKey {
            name: name.clone(),
            location: match location {
                ApiKeyLocation::Header => rt::ApiKeyLocation::Header,
                ApiKeyLocation::Query => rt::ApiKeyLocation::Query,
                ApiKeyLocation::Cookie => rt::ApiKeyLocation::Cookie,
            },
            key: secret(connector, &key.name)?,
        },
        Auth::HttpBasic { username, password } => rt::Auth::HttpBasic {
            username: credential(connector, username)?.expose().to_owned(),
            password: credential(connector, password)?,
        },
        Auth::OAuth2 {
            access_token_url,
            client_id,
            client_secret,
            request_data,
            default_expiration,
        } => rt::Auth::oauth2(
            access_token_url.clone(),
            credential(connector, client_id)?,
            secret(connector, &client_secret.name)?,
            request_data.clone(),
            std::time::Duration::from_secs(*default_expiration),
        ),
    })
}

/// The client of a connector, its secrets from the environment as `Config::from_env`
/// reads them; `base_url` replaces the spec's.
pub(super) fn client(connector: &Connector, base_url: Option<&str>) -> rt::Result<rt::Client> {
    let base_url = match base_url {
        Some(url) => url.to_owned(),
        None => {
            // `https://{company}.example.com`: each part from its environment variable.
            let parts = connector
                .settings
                .iter()
                .filter(|s| s.kind == model::SettingKind::BaseUrlPart)
                .map(|s| Ok((s.field.as_str(), rt::env::required(&s.env_var)?)))
                .collect::<rt::Result<Vec<_>>>()?;
            let parts: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            rt::ClientConfig::fill_base_url(&connector.base_url, &parts)?
        }
    };
    let mut config = rt::ClientConfig::new(base_url);
    config.auth = auth(connector, &connector.auth)?;
    config.endpoint_auth = connector
        .resources
        .iter()
        .filter_map(|r| Some((r, r.auth.as_ref()?)))
        .map(|(r, a)| Ok((leak(&r.name), auth(connector, a)?)))
        .collect::<rt::Result<_>>()?;
    config.headers = connector.headers.clone();
    // The spec's retry policy and timeout, as the generated `Config` has them.
    let retry = &connector.retry;
    if let Some(statuses) = &retry.statuses {
        config.retry.statuses = statuses.clone();
    }
    if let Some(max_retries) = retry.max_retries {
        config.retry.max_retries = max_retries;
    }
    if let Some(factor) = retry.backoff_factor {
        config.retry.backoff_factor = factor;
    }
    if let Some(max_delay) = retry.max_delay {
        config.retry.max_delay = std::time::Duration::from_secs_f64(max_delay);
    }
    if let Some(millis) = connector.timeout_millis {
        config.timeout = std::time::Duration::from_millis(millis);
    }
    // One request at a time: at most one page past `--pages` is asked for.
    config.concurrency = 1;
    rt::Client::new(config)
}
